package dev.zdd.core;

import dev.zdd.api.Scheduler;
import dev.zdd.core.internal.SystemScheduler;

/**
 * Ready-made {@link Scheduler}s. For tests, use {@link dev.zdd.core.testing.VirtualScheduler} instead.
 *
 * <p>Stateless; thread-safe.
 */
public final class Schedulers {
    private Schedulers() {
    }

    /**
     * The real-time scheduler: a shared daemon {@link java.util.concurrent.ScheduledThreadPoolExecutor} of two threads
     * ({@code zdd-scheduler-N}) following {@link dev.zdd.api.Clock#system()}. Tasks that throw are logged and do not stop
     * it. It needs no shutdown (daemon threads). Thread-safe; the same instance every call.
     */
    public static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }
}
