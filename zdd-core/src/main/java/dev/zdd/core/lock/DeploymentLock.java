package dev.zdd.core.lock;

import java.util.Optional;

/**
 * At most one deployment per service at a time, across processes. {@link FileDeploymentLock} uses a lock file on this
 * machine; teams deploying one service from several machines implement this interface over a shared store (a database
 * row with a lease, a key-value store with compare-and-set). Waiting for a busy lock is not the lock's job:
 * {@link DeploymentLocks#acquire} retries through the engine's scheduler.
 *
 * <p>Implementations must be thread-safe and must never block without a short bound.
 */
public interface DeploymentLock {
    /**
     * Takes the lock of {@code service} for {@code owner}, at once or not at all.
     *
     * @return the held lock; close it to release
     * @throws LockHeldException when another deployment holds it; the exception names the holder
     */
    Lease tryAcquire(String service, LockOwner owner);

    /** A held lock. Thread-safe; {@link #close()} is idempotent. */
    interface Lease extends AutoCloseable {
        /** Who holds it (the owner passed to {@link #tryAcquire}). */
        LockOwner owner();

        /** The previous owner whose stale lock was taken over, if that happened (its process died, or it was too old). */
        default Optional<LockOwner> tookOverFrom() {
            return Optional.empty();
        }

        /** Releases the lock. Never throws. */
        @Override
        void close();
    }
}
