package dev.zdd.core.sim;

import dev.zdd.core.journal.JournalException;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.JournalStore;
import dev.zdd.core.lock.DeploymentLock;
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
            synchronized (this) {
                records.put(record.service(), record);
            }
        }

        @Override
        public synchronized Optional<JournalRecord> read(String service) {
            return Optional.ofNullable(records.get(service));
        }
    }

    /** A lock busy until {@code busyUntil} (virtual time), then free. */
    static final class Lock implements DeploymentLock {
        private final World world;
        private final Instant busyUntil;
        private boolean held;
        private int leases;

        Lock(World world, Duration busyFor) {
            this.world = world;
            this.busyUntil = world.time().now().plus(busyFor);
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
            synchronized (this) {
                if (held) {
                    throw new LockHeldException(service, owner, "sim: held by this run already");
                }
                held = true;
                leases++;
            }
            world.log("lock taken");
            return new Lease() {
                private boolean closed;

                @Override
                public LockOwner owner() {
                    return owner;
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

        synchronized boolean held() {
            return held;
        }
    }
}
