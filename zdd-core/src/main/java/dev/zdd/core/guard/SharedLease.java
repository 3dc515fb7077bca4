package dev.zdd.core.guard;

import dev.zdd.api.Clock;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.LockHeldException;
import dev.zdd.core.lock.LockOwner;

/**
 * The guard's side of the service's {@link DeploymentLock}, shared with deployers in other processes (a CI job, a
 * {@code main} that deploys and exits): the routing belongs to whoever holds the lease. Every guard apply runs inside a
 * {@link #turn} that holds the lease for the call only; when a deployer holds it, the guard applies nothing. Fencing
 * tokens grow with every grant of the service, so a token that grew by more than one since the guard's previous turn
 * means somebody else held the lease in between (a deployment ran, however short): the guard must then take the
 * router's table as the new committed one instead of calling it drift.
 *
 * <p>Not thread-safe: used under the guard's lock. Internal.
 */
final class SharedLease {
    private final DeploymentLock lock;
    private final String service;
    private final Clock clock;
    /** The token of the guard's previous turn; -1 before the first. */
    private long lastToken = -1;
    /** Somebody else held the lease since the guard last adopted the router's table. */
    private boolean othersHeld;

    /** {@code lock} null: nothing shared, every turn runs. */
    SharedLease(DeploymentLock lock, String service, Clock clock) {
        this.lock = lock;
        this.service = service;
        this.clock = clock;
    }

    /**
     * Runs {@code action} holding the service's lease (or at once without a lock).
     *
     * @return null when it ran; else who holds the lease (and {@code action} did not run)
     */
    String turn(Runnable action) {
        if (lock == null) {
            action.run();
            return null;
        }
        DeploymentLock.Lease lease;
        try {
            lease = lock.tryAcquire(service, LockOwner.current("zdd-guard", clock));
        } catch (LockHeldException e) {
            othersHeld = true;
            return e.getMessage();
        }
        try {
            long token = lease.token();
            if (lastToken >= 0 && token != lastToken + 1) {
                othersHeld = true;
            }
            lastToken = token;
            action.run();
            return null;
        } finally {
            lease.close();
        }
    }

    /** Whether somebody else held the lease since {@link #adopted()}; the guard's table may be stale. */
    boolean othersHeld() {
        return othersHeld;
    }

    /** The guard took the router's table as committed after others held the lease. */
    void adopted() {
        othersHeld = false;
    }
}
