package dev.zdd.core.internal;

import dev.zdd.api.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One deployment's lane of calls to one collaborator (its router, its launcher): at most {@code width} calls run at once
 * on the executor, the others wait in submission order. A router lane has width 1, so the engine never calls a router
 * twice at once for one deployment, not even after a deadline: a call the engine gave up on keeps its place in the lane
 * until it really returns, and the next call (for example the rollback's restore) waits for it.
 *
 * <p>That wait is bounded. When the engine gives up on a running call ({@link #giveUp}: its deadline passed or its step
 * was aborted, and it was interrupted), the lane waits up to {@code grace} on the scheduler for it to return. A call
 * still running after that is <em>abandoned</em>: it leaves the lane (its thread stays blocked in it), the next call
 * starts, and its job hears about it ({@link Job#abandoned()}), and again if it ever returns ({@link Job#endedLate()}).
 * A queued call given up is dropped ({@link Job#dropped()}) and never runs.
 *
 * <p>Thread-safe. Internal.
 */
final class Lane {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    /** What a lane runs, and what it hears about its fate. Callbacks run on any thread. */
    interface Job {
        /** Runs the call on an executor thread. */
        void run();

        /** The executor refused the call: it never runs. */
        void rejected(RejectedExecutionException e);

        /** Given up while still queued: it never runs. */
        default void dropped() {
        }

        /** Given up while running, and still running after the grace: it left the lane. */
        default void abandoned() {
        }

        /** It returned at last, after it had been abandoned (possibly after later calls of the lane). */
        default void endedLate() {
        }
    }

    /** Hears about every call of the lane that was abandoned, and that ended late. Called on any thread. */
    interface Watcher {
        /** Watches nothing. */
        Watcher NONE = new Watcher() {
            @Override
            public void abandoned(String what) {
            }

            @Override
            public void endedLate(String what) {
            }
        };

        /** The call {@code what} was abandoned. */
        void abandoned(String what);

        /** The call {@code what}, abandoned before, returned at last. */
        void endedLate(String what);
    }

    /** One call in the lane. */
    static final class Ticket {
        final String what;
        private final Job job;
        private State state = State.QUEUED; // guarded by the lane
        private boolean givenUp;            // guarded by the lane

        private Ticket(String what, Job job) {
            this.what = what;
            this.job = job;
        }

        @Override
        public String toString() {
            return what;
        }
    }

    /** Where a ticket is. */
    private enum State { QUEUED, RUNNING, ABANDONED, ENDED }

    private final String name;
    private final Executor executor;
    private final int width;
    private final Scheduler scheduler;
    private final Duration grace;
    private final Watcher watcher;
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private int running;

    /**
     * @param name      for logs
     * @param executor  runs the calls
     * @param width     most calls at once (1: one at a time)
     * @param scheduler bounds the wait for a call the engine gave up on
     * @param grace     how long that wait lasts
     */
    Lane(String name, Executor executor, int width, Scheduler scheduler, Duration grace) {
        this(name, executor, width, scheduler, grace, Watcher.NONE);
    }

    /** A lane whose abandoned calls {@code watcher} hears about. */
    Lane(String name, Executor executor, int width, Scheduler scheduler, Duration grace, Watcher watcher) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, was " + width);
        }
        this.name = name;
        this.executor = executor;
        this.width = width;
        this.scheduler = scheduler;
        this.grace = grace;
        this.watcher = watcher;
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
     * keeps its place until it returns or the grace ends.
     */
    void giveUp(Ticket t) {
        boolean dropped = false;
        synchronized (this) {
            if (t.state == State.QUEUED) {
                queue.remove(t);
                t.state = State.ENDED;
                dropped = true;
            } else if (t.state != State.RUNNING || t.givenUp) {
                return;
            } else {
                t.givenUp = true;
            }
        }
        if (dropped) {
            t.job.dropped();
            return;
        }
        scheduler.schedule(grace, () -> abandon(t));
    }

    /** Calls in the lane (queued or running, abandoned ones not counted). */
    synchronized int size() {
        return running + queue.size();
    }

    private void abandon(Ticket t) {
        synchronized (this) {
            if (t.state != State.RUNNING) {
                return;
            }
            t.state = State.ABANDONED;
            running--;
        }
        LOG.warn("{} lane: {} did not return within {} after it was given up; the next call goes ahead without it",
                name, t.what, Texts.duration(grace));
        t.job.abandoned();
        watcher.abandoned(t.what);
        pump();
    }

    private void ended(Ticket t) {
        boolean late;
        synchronized (this) {
            late = t.state == State.ABANDONED;
            if (!late) {
                running--;
            }
            t.state = State.ENDED;
        }
        if (late) {
            LOG.warn("{} lane: {} returned at last, after it had been abandoned", name, t.what);
            t.job.endedLate();
            watcher.endedLate(t.what);
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
                next.state = State.RUNNING;
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
                    t.state = State.ENDED;
                    running--;
                }
                t.job.rejected(e);
            }
        }
    }
}
