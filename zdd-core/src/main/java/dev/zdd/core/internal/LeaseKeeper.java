package dev.zdd.core.internal;

import dev.zdd.api.Clock;
import dev.zdd.api.Fence;
import dev.zdd.api.FencedOutException;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.LeaseLostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Keeps one deployment's lease and is its {@link Fence}. While the deployment runs (stepping, paused, at gates, rolling
 * back) it renews the lease every {@link #RENEW_PARTS}th of the lock's ttl through the scheduler, with the renewal
 * running as a bounded call. It counts validity with the monotonic clock: a renewal started at {@code t} makes the lease
 * valid until {@code t + ttl} at the latest, and the deployment stops trusting it a further fifth of the ttl earlier,
 * so that it stops before the lease can have expired elsewhere (clock rates, call latency). {@link #check()} runs on
 * the calling thread right before every router apply, launcher call and journal write. The lease is lost, for good,
 * when a renewal says so ({@link LeaseLostException}, naming the new holder) or when no renewal succeeded in time
 * (the store unreachable); the owner is then told once, on the actor.
 *
 * <p>Thread-safe: {@link #check()} from any thread; the rest confined to the deployment's actor. Internal.
 */
final class LeaseKeeper implements Fence {
    /** The ttl is cut in this many parts: renew every part, stop trusting the lease one part before it ends. */
    static final int RENEW_PARTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final String deploymentId;
    private final Clock clock;
    private final Scope scope = new Scope();
    private volatile DeploymentLock.Lease lease;
    private volatile long ttlNanos;
    /** Monotonic time after which the lease is no longer trusted; guarded by this for writes. */
    private volatile long trustedUntil;
    private volatile String lost;
    private String lastRenewalProblem;
    private volatile Consumer<String> onLost;

    LeaseKeeper(String deploymentId, Clock clock) {
        this.deploymentId = deploymentId;
        this.clock = clock;
    }

    /**
     * Holds {@code l}, granted by {@code lock}, counting validity ({@link DeploymentLock#ttl()}) from now. A null lease
     * (no lock) makes this a fence that never refuses.
     */
    void hold(DeploymentLock.Lease l, DeploymentLock lock) {
        if (l == null || lock == null) {
            return;
        }
        Duration ttl = lock.ttl();
        long now = clock.nanoTime();
        this.ttlNanos = ttl.compareTo(Duration.ofDays(365 * 100)) >= 0 ? 0 : Durations.nanos(ttl);
        synchronized (this) {
            this.trustedUntil = now + trustBudget();
        }
        this.lease = l;
    }

    /** The held lease, or null. */
    DeploymentLock.Lease lease() {
        return lease;
    }

    /** Why the lease is lost, or null while it is current (or there is none). */
    String lost() {
        return lost;
    }

    /** Starts renewing (on the actor); {@code whenLost} is told once, on the actor, if the lease is lost. */
    void start(Calls calls, Actor actor, Duration callDeadline, Consumer<String> whenLost) {
        this.onLost = why -> actor.post(() -> {
            scope.close();
            whenLost.accept(why);
        });
        String already = lost;
        if (already != null) {
            onLost.accept(already);
            return;
        }
        if (lease == null || ttlNanos == 0) {
            return;
        }
        Duration every = Duration.ofNanos(Math.max(1, ttlNanos / RENEW_PARTS));
        Duration bound = callDeadline.compareTo(every) < 0 ? callDeadline : every;
        tick(calls, actor, every, bound);
    }

    private void tick(Calls calls, Actor actor, Duration every, Duration bound) {
        calls.timer(scope, every, () -> {
            if (lost != null) {
                return;
            }
            DeploymentLock.Lease l = lease;
            calls.call(scope, null, "lease.renew", bound, () -> {
                long started = clock.nanoTime();
                try {
                    l.renew();
                } catch (LeaseLostException e) {
                    lose(Texts.message(e)); // at once: no call may pass the fence from now on
                    throw e;
                }
                return started;
            }, (started, err) -> renewed(started, err));
            tick(calls, actor, every, bound);
        });
    }

    private void renewed(Long started, Throwable err) {
        if (lost != null) {
            return;
        }
        if (err == null && started - trustedUntil >= 0) {
            // it started after the lease stopped being trusted (the process was paused): another may hold it now
            lose(lapsedText());
            return;
        }
        if (err == null) {
            synchronized (this) {
                trustedUntil = Math.max(trustedUntil, started + trustBudget());
            }
            lastRenewalProblem = null;
            return;
        }
        if (err instanceof LeaseLostException e) {
            lose(Texts.message(e));
            return;
        }
        lastRenewalProblem = Texts.message(err);
        LOG.warn("deployment {}: cannot renew its lease (will retry while it is valid): {}", deploymentId,
                lastRenewalProblem);
        if (clock.nanoTime() - trustedUntil >= 0) {
            lose(lapsedText());
        }
    }

    private long trustBudget() {
        return ttlNanos - ttlNanos / RENEW_PARTS;
    }

    private String lapsedText() {
        DeploymentLock.Lease l = lease;
        return "its lease (token " + (l == null ? 0 : l.token()) + ") was not renewed in time" + (lastRenewalProblem == null
                ? "" : " (last renewal failed: " + lastRenewalProblem + ")") + ": it may have expired and been taken"
                + " over";
    }

    /** Marks the lease lost (first reason wins) and tells the owner on the actor. Any thread. */
    private void lose(String why) {
        synchronized (this) {
            if (lost != null) {
                return;
            }
            lost = why;
        }
        LOG.warn("deployment {}: lost its lease: {}", deploymentId, why);
        Consumer<String> c = onLost;
        if (c != null) {
            c.accept(why);
        }
    }

    /** Stops renewing (the deployment ended); on the actor. */
    void stop() {
        scope.close();
    }

    @Override
    public long token() {
        DeploymentLock.Lease l = lease;
        return l == null ? 0 : l.token();
    }

    @Override
    public void check() {
        if (lease == null) {
            return;
        }
        String why = lost;
        if (why == null && ttlNanos != 0 && clock.nanoTime() - trustedUntil >= 0) {
            lose(lapsedText());
            why = lost;
        }
        if (why != null) {
            throw new FencedOutException("deployment " + deploymentId + " lost its lease: " + why);
        }
    }

    @Override
    public String toString() {
        return "Fence[" + deploymentId + ", token " + token() + "]";
    }
}
