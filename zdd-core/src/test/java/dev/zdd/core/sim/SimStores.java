package dev.zdd.core.sim;

import dev.zdd.core.journal.JournalException;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.JournalStore;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.LeaseLostException;
import dev.zdd.core.lock.LockHeldException;
import dev.zdd.core.lock.LockOwner;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The journal and the lock of a run: an in-memory journal whose writes may fail as the {@link FaultScript} says, and a
 * lock held by another deployment until a virtual time (then free; its store may fail). Thread-safe.
 */
final class SimStores {
    private SimStores() {
    }

    /** An in-memory journal. */
    static final class Journal implements JournalStore {
        private final World world;
        private final Map<String, JournalRecord> records = new HashMap<>();

        Journal(World world) {
            this.world = world;
        }

        @Override
        public void write(JournalRecord record) {
            FaultScript.Decision d = world.next(CallKind.JOURNAL_WRITE, "journal.write " + record.status() + " seq "
                    + record.sequence());
            if (d.fault() == Fault.THROW) {
                throw new JournalException("sim: disk full");
            }
            long current = world.leaseToken();
            if (record.fencingToken() > 0 && record.fencingToken() < current) {
                world.count("LEASE.FENCED_JOURNAL_WRITE");
                throw new dev.zdd.core.journal.StaleTokenException(record.service(), record.fencingToken(), current,
                        "usurper-1");
            }
            synchronized (this) {
                records.put(record.service(), record);
            }
        }

        @Override
        public synchronized Optional<JournalRecord> read(String service) {
            return Optional.ofNullable(records.get(service));
        }
    }

    /**
     * A lock busy until {@code busyUntil} (virtual time), then free. With a {@link Scenario.Lease}, grants expire
     * {@code ttl} after they were granted or renewed; renewals fail during the outage, and at its end another deployer
     * takes the lease over (a higher token) if it has expired by then. The world learns from {@link #stale()} whether
     * the run's lease is current.
     */
    static final class Lock implements DeploymentLock {
        private final World world;
        private final Instant start;
        private final Instant busyUntil;
        private final Scenario.Lease lease;
        private boolean held;
        private int leases;
        private long token;
        private Instant expiresAt;
        private Instant takenOverAt;
        private long usurperToken;
        private boolean lostTold;

        Lock(World world, Duration busyFor, Scenario.Lease lease) {
            this.world = world;
            this.start = world.time().now();
            this.busyUntil = start.plus(busyFor);
            this.lease = lease;
            if (lease != null && lease.outageFor() != null) {
                world.time().schedule(lease.outageFrom().plus(lease.outageFor()), this::usurperTries);
            }
            if (lease != null && lease.forcedAt() != null) {
                world.time().schedule(lease.forcedAt(), this::forcedTakeover);
            }
            world.leaseState(this::stale);
            world.leaseToken(this::currentToken);
        }

        @Override
        public Duration ttl() {
            return lease == null ? NEVER_EXPIRES : lease.ttl();
        }

        private synchronized void usurperTries() {
            Instant now = world.time().now();
            if (held && takenOverAt == null && expiresAt != null && now.isAfter(expiresAt)) {
                takenOverAt = now;
                usurperToken = token + 1;
                world.count("LEASE.TAKEN_OVER");
                world.log("lease taken over by usurper-1 with token " + usurperToken + " (expired at " + expiresAt + ")");
            }
        }

        private synchronized void forcedTakeover() {
            if (held && takenOverAt == null) {
                takenOverAt = world.time().now();
                usurperToken = token + 1;
                world.count("LEASE.FORCED_TAKEOVER");
                world.log("lease taken over by force by usurper-1 with token " + usurperToken);
            }
        }

        /** The token of the lease's current holder (the usurper's once it took over). */
        synchronized long currentToken() {
            return takenOverAt != null ? usurperToken : token;
        }

        /** Why the held lease is stale now (expired, or taken over), or null while current or not held. */
        synchronized String stale() {
            if (!held || lease == null) {
                return null;
            }
            Instant now = world.time().now();
            if (takenOverAt != null && lostTold) {
                return "taken over at " + takenOverAt + " by token " + usurperToken + " (ours " + token + "), and the"
                        + " holder was told so by a renewal";
            }
            if (takenOverAt == null && now.isAfter(expiresAt)) {
                return "expired at " + expiresAt;
            }
            return null;
        }


        @Override
        public Lease tryAcquire(String service, LockOwner owner) {
            Instant now = world.time().now();
            if (now.isBefore(busyUntil)) {
                throw new LockHeldException(service, new LockOwner("other-deployment", 1, "elsewhere", now), "sim");
            }
            FaultScript.Decision d = world.next(CallKind.LOCK, "lock.tryAcquire");
            if (d.fault() == Fault.THROW) {
                throw new IllegalStateException("sim: lock store unreachable");
            }
            long mine;
            synchronized (this) {
                if (held) {
                    throw new LockHeldException(service, owner, "sim: held by this run already");
                }
                held = true;
                leases++;
                mine = ++token;
                takenOverAt = null;
                expiresAt = lease == null ? null : now.plus(lease.ttl());
            }
            world.log("lock taken, token " + mine);
            return new Lease() {
                private boolean closed;

                @Override
                public LockOwner owner() {
                    return owner;
                }

                @Override
                public long token() {
                    return mine;
                }

                @Override
                public void renew() {
                    Instant at = world.time().now();
                    FaultScript.Decision d = world.next(CallKind.RENEW, "lease.renew token " + mine);
                    if (d.fault() == Fault.THROW || outage(at)) {
                        throw new IllegalStateException("sim: lease store unreachable");
                    }
                    synchronized (Lock.this) {
                        if (closed || takenOverAt != null) {
                            lostTold = true;
                            throw new LeaseLostException(service, new LockOwner("usurper-1", 2, "elsewhere", at),
                                    "sim: taken over with token " + usurperToken);
                        }
                        expiresAt = at.plus(lease.ttl());
                    }
                }

                @Override
                public void close() {
                    synchronized (Lock.this) {
                        if (closed) {
                            return;
                        }
                        closed = true;
                        held = false;
                    }
                    world.log("lock released");
                }
            };
        }

        /** Whether renewals fail at {@code at} (the lease store's outage). */
        private boolean outage(Instant at) {
            if (lease == null || lease.outageFor() == null) {
                return false;
            }
            Instant from = start.plus(lease.outageFrom());
            return !at.isBefore(from) && at.isBefore(from.plus(lease.outageFor()));
        }

        synchronized boolean held() {
            return held;
        }
    }
}
