package dev.zdd.core.internal;

import dev.zdd.api.Cancellable;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Routing;
import dev.zdd.api.Scheduler;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.DeploymentLocks;
import dev.zdd.core.lock.LockOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A deployment that waits before it starts: for the next allowed deploy window and/or for a busy deployment lock, both
 * through the {@link Scheduler} (never a sleep). While waiting it is PENDING and has touched nothing; {@link #abort}
 * ends it as ROLLED_BACK with nothing done, and so does a wait that runs out. Once the wait is over it starts the real
 * deployment (which plans again against the router as it is then) and forwards every handle method to it.
 *
 * <p>Thread-safe. Internal.
 */
public final class DeferredStart extends DeploymentHandle {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final String id;
    private final DeploymentSpec spec;
    private final Scheduler scheduler;
    private final Routing seen;
    private final Instant createdAt;
    private final Object lock = new Object();
    private Deployment delegate;
    private Cancellable windowTimer;
    private CompletableFuture<DeploymentLock.Lease> lockWait;
    private boolean over;

    /**
     * @param id        the id the deployment will carry
     * @param spec      what is deployed
     * @param scheduler timers
     * @param seen      the routing read when the deployment was asked for (reported if it never starts)
     */
    public DeferredStart(String id, DeploymentSpec spec, Scheduler scheduler, Routing seen) {
        this.id = id;
        this.spec = spec;
        this.scheduler = scheduler;
        this.seen = seen;
        this.createdAt = scheduler.clock().now();
    }

    /**
     * Waits until {@code startAt} (if not null), then takes the lock (if {@code lockToTake} is not null, waiting up to
     * {@code lockWait}), then calls {@code starter} with the lease (or null) and forwards to the deployment it returns.
     * The starter must release the lease when it cannot start.
     */
    public DeferredStart begin(Instant startAt, DeploymentLock lockToTake, Duration lockWaitTimeout, Duration lockRetry,
                               Function<DeploymentLock.Lease, Deployment> starter) {
        Runnable takeLock = () -> {
            if (lockToTake == null) {
                launch(null, starter);
                return;
            }
            CompletableFuture<DeploymentLock.Lease> w = DeploymentLocks.acquire(lockToTake, spec.service(),
                    LockOwner.current(id, scheduler.clock()), scheduler, lockWaitTimeout, lockRetry);
            synchronized (lock) {
                lockWait = w;
            }
            w.whenComplete((lease, err) -> {
                if (err != null) {
                    Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                            ? err.getCause() : err;
                    notStarted(Texts.message(cause));
                } else {
                    launch(lease, starter);
                }
            });
        };
        Duration delay = startAt == null ? Duration.ZERO : Duration.between(scheduler.clock().now(), startAt);
        if (delay.isNegative() || delay.isZero()) {
            takeLock.run();
        } else {
            LOG.info("deployment {}: waiting {} for the deploy window (until {})", id, Texts.duration(delay), startAt);
            synchronized (lock) {
                windowTimer = scheduler.schedule(delay, takeLock);
            }
        }
        return this;
    }

    private void launch(DeploymentLock.Lease lease, Function<DeploymentLock.Lease, Deployment> starter) {
        synchronized (lock) {
            if (over) {
                if (lease != null) {
                    lease.close();
                }
                return;
            }
        }
        Deployment d;
        try {
            d = starter.apply(lease);
        } catch (RuntimeException e) {
            notStarted(Texts.message(e));
            return;
        }
        synchronized (lock) {
            delegate = d;
        }
        d.completion().whenComplete((r, err) -> {
            if (err != null) {
                completeExceptionally(err);
            } else {
                complete(r);
            }
        });
    }

    private void notStarted(String why) {
        synchronized (lock) {
            if (over || delegate != null) {
                return;
            }
            over = true;
            if (windowTimer != null) {
                windowTimer.cancel();
            }
            if (lockWait != null) {
                lockWait.cancel(false);
            }
        }
        String reason = "not started: " + why;
        LOG.warn("deployment {}: {}", id, reason);
        DeploymentResult r = new DeploymentResult(id, spec.service(), spec.version(), DeploymentStatus.ROLLED_BACK, reason,
                createdAt, scheduler.clock().now(), seen, seen, List.of(), List.of(), List.of(), List.of());
        complete(r);
    }

    private Deployment delegate() {
        synchronized (lock) {
            return delegate;
        }
    }

    @Override
    public String id() {
        Deployment d = delegate();
        return d == null ? id : d.id();
    }

    @Override
    public DeploymentStatus status() {
        Deployment d = delegate();
        if (d != null) {
            return d.status();
        }
        return result().map(DeploymentResult::status).orElse(DeploymentStatus.PENDING);
    }

    @Override
    public void pause() {
        forward(Deployment::pause);
    }

    @Override
    public void resume() {
        forward(Deployment::resume);
    }

    @Override
    public void promote() {
        forward(Deployment::promote);
    }

    /** Passes a command to the started deployment; before it starts there is nothing to pause, resume or promote. */
    private void forward(java.util.function.Consumer<Deployment> command) {
        Deployment d = delegate();
        if (d != null) {
            command.accept(d);
        }
    }

    @Override
    public void abort(String reason) {
        Deployment d = delegate();
        if (d != null) {
            d.abort(reason);
        } else {
            notStarted("aborted while waiting: " + Texts.printable(reason == null ? "no reason given" : reason));
        }
    }
}
