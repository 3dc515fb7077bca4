package dev.zdd.core.lease;

import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.LeaseLostException;
import dev.zdd.core.lock.LockHeldException;
import dev.zdd.core.lock.LockOwner;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock whose renewals a test scripts: they succeed, fail as "store unreachable", or report the lease taken over by
 * {@code usurper}. Tokens grow. Thread-safe.
 */
final class ScriptedLock implements DeploymentLock {
    enum Renewal { OK, UNREACHABLE, TAKEN_OVER }

    static final LockOwner USURPER = new LockOwner("usurper-1", 4242, "other-host", Instant.parse("2026-01-01T00:00:00Z"));

    private final Duration ttl;
    private final AtomicLong tokens = new AtomicLong(6);
    final AtomicInteger renewals = new AtomicInteger();
    volatile Renewal next = Renewal.OK;
    private volatile LockOwner holder;

    ScriptedLock(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public synchronized Lease tryAcquire(String service, LockOwner owner) {
        if (holder != null) {
            throw new LockHeldException(service, holder, "");
        }
        holder = owner;
        long token = tokens.incrementAndGet();
        return new Lease() {
            @Override
            public LockOwner owner() {
                return owner;
            }

            @Override
            public long token() {
                return token;
            }

            @Override
            public void renew() {
                renewals.incrementAndGet();
                switch (next) {
                    case OK -> {
                    }
                    case UNREACHABLE -> throw new IllegalStateException("connection refused (scripted)");
                    case TAKEN_OVER -> throw new LeaseLostException(service, USURPER, "the lease of " + owner.deploymentId()
                            + " (token " + token + ") expired and was taken over");
                }
            }

            @Override
            public void close() {
                synchronized (ScriptedLock.this) {
                    if (holder == owner) {
                        holder = null;
                    }
                }
            }
        };
    }
}
