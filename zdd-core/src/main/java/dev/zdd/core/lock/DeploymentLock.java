package dev.zdd.core.lock;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * At most one deployment per service at a time, across processes: a grant is a <em>lease</em>. It carries a fencing
 * {@link Lease#token() token} that only grows per service (each new grant gets a higher one), and it expires
 * {@link #ttl()} after it was granted or last {@link Lease#renew() renewed} unless renewed again. The engine renews it
 * through its scheduler while a deployment runs (also paused and at gates), counts its validity with the monotonic
 * clock, and checks it before every router apply, launcher call and journal write; a deployment whose lease lapsed or
 * was taken over touches nothing more (see {@code docs/leases.md}).
 *
 * <p>{@link FileDeploymentLock} uses a lock file on this machine; {@link dev.zdd.core.jdbc.JdbcDeploymentLock} a
 * database row, for deployers on several machines. Waiting for a busy lock is
 * not the lock's job: {@link DeploymentLocks#acquire} retries through the engine's scheduler.
 *
 * <p>Implementations must be thread-safe and must never block without a short bound.
 */
public interface DeploymentLock {
    /** What {@link #ttl()} returns for a lock whose grants never expire (the default). */
    Duration NEVER_EXPIRES = ChronoUnit.FOREVER.getDuration();

    /**
     * Takes the lock of {@code service} for {@code owner}, at once or not at all.
     *
     * @return the held lease; close it to release
     * @throws LockHeldException when another deployment holds it; the exception names the holder
     */
    Lease tryAcquire(String service, LockOwner owner);

    /**
     * How long a grant or a renewal stays valid, counted from the moment {@link #tryAcquire} or {@link Lease#renew()}
     * was called. Default {@link #NEVER_EXPIRES}: the holder never has to renew (a lock whose holder cannot lose it
     * while alive).
     */
    default Duration ttl() {
        return NEVER_EXPIRES;
    }

    /** A held lease. Thread-safe; {@link #close()} is idempotent. */
    interface Lease extends AutoCloseable {
        /** Who holds it (the owner passed to {@link #tryAcquire}). */
        LockOwner owner();

        /**
         * The fencing token of this grant: higher than the token of every earlier grant of the same service. Journal
         * stores refuse writes with a lower token than the one they hold; routers may do the same
         * ({@link dev.zdd.api.Fence}). Default 0 (a lock without tokens).
         */
        default long token() {
            return 0;
        }

        /** The previous owner whose lapsed lease was taken over, if that happened (its process died, or it expired). */
        default Optional<LockOwner> tookOverFrom() {
            return Optional.empty();
        }

        /**
         * Extends the lease to {@link DeploymentLock#ttl()} from the moment of this call. Bounded in time.
         *
         * @throws LeaseLostException when the lease is no longer this holder's (expired and taken over, broken, or
         *                            closed); it names the new holder when known
         * @throws RuntimeException   when the store cannot be reached: the lease may still be valid until it expires,
         *                            and the caller tries again
         */
        default void renew() {
        }

        /** Releases the lock. Never throws. */
        @Override
        void close();
    }
}
