package dev.zdd.core.internal;

import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.DeploymentLocks;
import dev.zdd.core.lock.LockOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The wait before a deployment starts: for the next allowed deploy window, then for a busy deployment lock, both
 * through the scheduler (never a sleep). Its timers live in the run's scope, so an abort ends the wait; a lease that
 * arrives after that is released by the run. Answers on the actor. Not thread-safe: confined to the actor. Internal.
 */
final class StartWait {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final RunContext ctx;
    private final Scope scope;
    private final Consumer<DeploymentLock.Lease> over;
    private final Consumer<String> failed;

    /**
     * @param over   told when the wait is over, with the lease (null without a lock)
     * @param failed told why the deployment cannot start (the lock stayed busy, the lock failed)
     */
    StartWait(RunContext ctx, Scope scope, Consumer<DeploymentLock.Lease> over, Consumer<String> failed) {
        this.ctx = ctx;
        this.scope = scope;
        this.over = over;
        this.failed = failed;
    }

    void begin(Instant startAt, boolean waitForLock) {
        Duration delay = startAt == null ? Duration.ZERO : Duration.between(ctx.now(), startAt);
        if (delay.isNegative() || delay.isZero()) {
            lock(waitForLock);
            return;
        }
        LOG.info("deployment {}: waiting {} for the deploy window (until {})", ctx.id, Texts.duration(delay), startAt);
        ctx.calls.timer(scope, delay, () -> lock(waitForLock));
    }

    private void lock(boolean waitForLock) {
        if (!waitForLock) {
            over.accept(null);
            return;
        }
        CompletableFuture<DeploymentLock.Lease> w = DeploymentLocks.acquire(ctx.rel.lock(), ctx.spec.service(),
                LockOwner.current(ctx.id, ctx.clock), ctx.cfg.scheduler(), ctx.rel.lockWait(), ctx.rel.lockRetry());
        scope.add(() -> w.cancel(false));
        w.whenComplete((lease, err) -> ctx.actor.post(() -> {
            if (err == null) {
                over.accept(lease);
                return;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            failed.accept(Texts.message(cause));
        }));
    }
}
