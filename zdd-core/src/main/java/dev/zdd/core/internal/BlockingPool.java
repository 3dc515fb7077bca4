package dev.zdd.core.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default executor of blocking calls (router, probes, launcher, checks, hooks): up to {@value #THREADS} daemon
 * threads named {@code zdd-blocking-N}, shared by all engines, idle threads end after a minute. Thread-safe. Internal.
 */
public final class BlockingPool {
    /** Most threads at once; further calls queue. */
    public static final int THREADS = 64;

    private static final Executor INSTANCE = create();

    private BlockingPool() {
    }

    /** The shared pool. */
    public static Executor shared() {
        return INSTANCE;
    }

    private static Executor create() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "zdd-blocking-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
