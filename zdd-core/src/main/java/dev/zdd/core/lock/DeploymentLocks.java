package dev.zdd.core.lock;

import dev.zdd.api.Cancellable;
import dev.zdd.api.Scheduler;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waiting for a busy {@link DeploymentLock} without sleeping: retries through a {@link Scheduler}, so that it runs in
 * virtual time in tests. Stateless; thread-safe.
 */
public final class DeploymentLocks {
    /** Default time between two attempts while waiting: 1 s. */
    public static final Duration DEFAULT_RETRY_EVERY = Duration.ofSeconds(1);

    private DeploymentLocks() {
    }

    /**
     * Takes the lock, waiting up to {@code timeout} for its holder to release it.
     *
     * @param timeout    longest wait; zero means one attempt only
     * @param retryEvery time between attempts, positive
     * @return completes with the lease, or exceptionally with the last {@link LockHeldException} (its message says how
     *         long it waited and who still holds the lock) or whatever else the lock threw. Cancelling the future stops
     *         the retries (a lease obtained after cancellation is released at once).
     * @throws IllegalArgumentException when an argument is null or a duration is negative
     */
    public static CompletableFuture<DeploymentLock.Lease> acquire(DeploymentLock lock, String service, LockOwner owner,
                                                                  Scheduler scheduler, Duration timeout, Duration retryEvery) {
        if (lock == null || service == null || owner == null || scheduler == null) {
            throw new IllegalArgumentException("lock, service, owner and scheduler must not be null");
        }
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("lock wait timeout must not be negative, was " + timeout);
        }
        if (retryEvery == null || retryEvery.isNegative() || retryEvery.isZero()) {
            throw new IllegalArgumentException("lock retryEvery must be positive, was " + retryEvery);
        }
        CompletableFuture<DeploymentLock.Lease> result = new CompletableFuture<>();
        AtomicReference<Cancellable> pending = new AtomicReference<>();
        long deadline = saturatedAdd(scheduler.clock().nanoTime(), dev.zdd.core.internal.Durations.nanos(timeout));
        Runnable attempt = new Runnable() {
            @Override
            public void run() {
                if (result.isDone()) {
                    return;
                }
                try {
                    DeploymentLock.Lease lease = lock.tryAcquire(service, owner);
                    if (!result.complete(lease)) {
                        lease.close();
                    }
                } catch (LockHeldException held) {
                    long left = deadline - scheduler.clock().nanoTime();
                    if (left <= 0) {
                        result.completeExceptionally(timeout.isZero() ? held : new LockHeldException(service,
                                held.holder().orElse(null), "still held after waiting " + timeout));
                    } else {
                        pending.set(scheduler.schedule(Duration.ofNanos(Math.min(left, retryEvery.toNanos())), this));
                    }
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        };
        result.whenComplete((v, e) -> {
            Cancellable c = pending.get();
            if (c != null) {
                c.cancel();
            }
        });
        attempt.run();
        return result;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
