package dev.zdd.core.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default executors of blocking calls, shared by all engines; daemon threads, idle ones end after a minute.
 * <ul>
 *   <li>{@link #shared()}: probes, checks and hooks; up to {@value #THREADS} threads named {@code zdd-blocking-N},
 *       further calls queue;</li>
 *   <li>{@link #lanes()}: router and launcher calls, which each deployment already bounds through its own {@link Lane}s
 *       (one router call, at most {@value RunContext#LAUNCHER_CALLS} launcher calls at a time); threads named
 *       {@code zdd-lane-N} are created as needed and never queue, so a call stuck in one deployment's router or launcher
 *       (one that ignores interrupts) never delays another deployment's calls, its rollback included.</li>
 * </ul>
 * Thread-safe. Internal.
 */
public final class BlockingPool {
    /** Most threads of {@link #shared()} at once; further calls queue. */
    public static final int THREADS = 64;

    private static final Executor SHARED = create();
    private static final Executor LANES = createLanes();

    private BlockingPool() {
    }

    /** The shared pool of probes, checks and hooks. */
    public static Executor shared() {
        return SHARED;
    }

    /** The pool of the deployments' router and launcher lanes: a thread per running call, never queued. */
    public static Executor lanes() {
        return LANES;
    }

    private static Executor create() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemons("zdd-blocking-"));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static Executor createLanes() {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemons("zdd-lane-"));
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
