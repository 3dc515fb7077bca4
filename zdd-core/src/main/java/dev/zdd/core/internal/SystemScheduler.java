package dev.zdd.core.internal;

import dev.zdd.api.Cancellable;
import dev.zdd.api.Clock;
import dev.zdd.api.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default {@link Scheduler}: a shared {@link ScheduledThreadPoolExecutor} of two daemon threads
 * ({@code zdd-scheduler-N}) following {@link Clock#system()}. Tasks that throw are logged and do not stop it.
 * Thread-safe. Internal: use {@code Schedulers.system()}.
 */
public final class SystemScheduler implements Scheduler {
    /** The shared instance. */
    public static final SystemScheduler INSTANCE = new SystemScheduler();

    private static final Logger LOG = LoggerFactory.getLogger(SystemScheduler.class);
    private final ScheduledThreadPoolExecutor pool;

    private SystemScheduler() {
        AtomicInteger n = new AtomicInteger();
        pool = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "zdd-scheduler-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true);
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Clock clock() {
        return Clock.system();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        long nanos = saturatedNanos(delay);
        ScheduledFuture<?> f = pool.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.warn("scheduled task failed: {}", Texts.message(e));
            }
        }, nanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    static long saturatedNanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }
}
