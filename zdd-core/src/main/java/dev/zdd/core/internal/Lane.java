package dev.zdd.core.internal;

import dev.zdd.api.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One deployment's lane of calls to one collaborator (its router, its launcher): at most {@code width} calls run at once
 * on the executor, the others wait in submission order. A router lane has width 1, so the engine never calls a router
 * twice at once for one deployment, not even after a deadline: a call the engine gave up on keeps its place in the lane
 * until it really returns, and the next call (for example the rollback's restore) waits for it.
 *
 * <p>That wait is bounded. When the engine gives up on a running call ({@link #giveUp}: its deadline passed or its step
 * was aborted, and it was interrupted), the lane first waits up to {@link #UNWIND} of wall time on an executor thread for
 * the interrupt to end it (on a virtual scheduler this keeps runs deterministic), then up to {@code grace} on the
 * scheduler. A call still running after that is <em>abandoned</em>: it leaves the lane (its thread stays blocked in it),
 * the next call starts, and the listener hears about it, and again if it ever returns.
 *
 * <p>Thread-safe. Internal.
 */
final class Lane {
    /** Most wall time the lane waits for an interrupted call to unwind before it starts the scheduler-bounded wait. */
    static final Duration UNWIND = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    /** What a lane runs. */
    interface Job {
        /** Runs the call on an executor thread. */
        void run();

        /** The executor refused the call: it never runs. */
        void rejected(RejectedExecutionException e);
    }

    /** Hears about calls that outlived the lane's patience. Called on any thread. */
    interface Listener {
        /** {@code t} did not return within the bounded wait after the engine gave up on it and left the lane. */
        void abandoned(Ticket t);

        /** {@code t}, abandoned before, returned at last (possibly after later calls of the lane). */
        void endedLate(Ticket t);
    }

    /** One call in the lane. */
    static final class Ticket {
        final String what;
        private final Job job;
        private final CountDownLatch ended = new CountDownLatch(1);
        // guarded by the lane
        private boolean queued = true;
        private boolean running;
        private boolean givenUp;
        private boolean abandoned;

        private Ticket(String what, Job job) {
            this.what = what;
            this.job = job;
        }

        @Override
        public String toString() {
            return what;
        }
    }

    private final String name;
    private final Executor executor;
    private final int width;
    private final Scheduler scheduler;
    private final Duration grace;
    private final Listener listener;
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private int running;

    /**
     * @param name      for logs
     * @param executor  runs the calls
     * @param width     most calls at once (1: one at a time)
     * @param scheduler bounds the wait for a call the engine gave up on
     * @param grace     how long that wait lasts (after {@link #UNWIND})
     * @param listener  told about abandoned calls
     */
    Lane(String name, Executor executor, int width, Scheduler scheduler, Duration grace, Listener listener) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, was " + width);
        }
        this.name = name;
        this.executor = executor;
        this.width = width;
        this.scheduler = scheduler;
        this.grace = grace;
        this.listener = listener;
    }

    /** Queues {@code job}; it runs once fewer than {@code width} earlier calls are still in the lane. */
    Ticket submit(String what, Job job) {
        Ticket t = new Ticket(what, job);
        synchronized (this) {
            queue.add(t);
        }
        pump();
        return t;
    }

    /**
     * The engine no longer waits for {@code t} (it was interrupted or cancelled): a queued call is dropped; a running one
     * keeps its place until it returns or the bounded wait described in the class comment ends.
     */
    void giveUp(Ticket t) {
        synchronized (this) {
            if (t.queued) {
                t.queued = false;
                queue.remove(t);
                return;
            }
            if (!t.running || t.givenUp) {
                return;
            }
            t.givenUp = true;
        }
        Runnable startWait = () -> scheduler.schedule(grace, () -> abandon(t));
        try {
            executor.execute(() -> {
                try {
                    if (t.ended.await(UNWIND.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                startWait.run();
            });
        } catch (RejectedExecutionException e) {
            startWait.run();
        }
    }

    /** Calls in the lane (queued or running, abandoned ones not counted). */
    synchronized int size() {
        return running + queue.size();
    }

    private void abandon(Ticket t) {
        synchronized (this) {
            if (!t.running || t.abandoned) {
                return;
            }
            t.abandoned = true;
            running--;
        }
        LOG.warn("{} lane: {} did not return within {} after it was given up; the next call goes ahead without it",
                name, t.what, Texts.duration(grace));
        listener.abandoned(t);
        pump();
    }

    private void ended(Ticket t) {
        boolean late;
        synchronized (this) {
            t.running = false;
            late = t.abandoned;
            if (!late) {
                running--;
            }
        }
        t.ended.countDown();
        if (late) {
            LOG.warn("{} lane: {} returned at last, after it had been abandoned", name, t.what);
            listener.endedLate(t);
        } else {
            pump();
        }
    }

    private void pump() {
        while (true) {
            Ticket next;
            synchronized (this) {
                if (running >= width || queue.isEmpty()) {
                    return;
                }
                next = queue.poll();
                next.queued = false;
                next.running = true;
                running++;
            }
            Ticket t = next;
            try {
                executor.execute(() -> {
                    try {
                        t.job.run();
                    } finally {
                        ended(t);
                    }
                });
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    t.running = false;
                        running--;
                }
                t.ended.countDown();
                t.job.rejected(e);
            }
        }
    }
}
