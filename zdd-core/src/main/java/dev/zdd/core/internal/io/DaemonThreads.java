package dev.zdd.core.internal.io;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon thread factories and the shared pool of the io parts (routers, launcher). Internal; thread-safe. */
public final class DaemonThreads {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** Unbounded pool of daemon threads that die after 30 s idle; used by composite routers by default. */
    private static final ExecutorService SHARED = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), factory("zdd-io"));

    private DaemonThreads() {
    }

    /** A factory of daemon threads named {@code prefix-N}. */
    public static ThreadFactory factory(String prefix) {
        return r -> {
            Thread t = new Thread(r, prefix + "-" + COUNTER.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The shared daemon pool. Never shut it down. */
    public static ExecutorService shared() {
        return SHARED;
    }
}
