package dev.zdd.core.testing;

import dev.zdd.api.Arguments;
import dev.zdd.api.Cancellable;
import dev.zdd.api.Clock;
import dev.zdd.api.Scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A {@link Scheduler} and {@link Clock} in virtual time, for tests: time stands still until the test moves it with
 * {@link #advance(Duration)}, {@link #runUntilIdle()} or {@link #runUntil(BooleanSupplier, Duration)}, which run the due
 * tasks in time order (ties in scheduling order) on the calling thread. A one-hour canary runs in milliseconds and the
 * same way every time.
 *
 * <p>Blocking calls: give the engine {@link #executor()}. Its tasks are queued as zero-delay tasks; when one runs, the
 * driving thread hands it to a helper thread and waits until it finishes, so that execution stays sequential and
 * deterministic. A fake that must simulate a call that never answers calls {@link #hangUntilInterrupted()}: the driving
 * thread then goes on with virtual time while the call stays blocked until the engine's deadline interrupts it. Each call
 * costs two thread switches; for simulations of thousands of targets whose fakes never hang, {@link #inlineExecutor()}
 * runs calls on the driving thread itself.
 *
 * <p>Thread-safe: tasks may be scheduled and cancelled from any thread (for example by a handle method called from
 * another thread); only one thread at a time may drive time (a second one waits for the first, at most
 * {@link #DRIVER_WAIT}). Tasks that throw are recorded in {@link #failures()} and do not stop the scheduler. Usable
 * without JUnit.
 *
 * <pre>{@code
 * VirtualScheduler time = new VirtualScheduler();
 * Engine engine = Engine.builder().router(router).probe(probe).scheduler(time).executor(time.executor()).build();
 * Deployment d = engine.start(spec, plan);
 * time.runUntil(() -> d.status().isTerminal(), Duration.ofHours(2));
 * }</pre>
 */
public final class VirtualScheduler implements Scheduler, Clock {
    /** Where virtual time starts unless told otherwise: 2024-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2024-01-01T00:00:00Z");
    /** Most wall time the driving thread waits for one task of {@link #executor()} that neither ends nor hangs: 30 s. */
    public static final Duration BLOCKING_CALL_LIMIT = Duration.ofSeconds(30);
    /** Most wall time {@link #hangUntilInterrupted()} waits for its interrupt: 60 s. */
    public static final Duration HANG_LIMIT = Duration.ofSeconds(60);
    /** Most wall time a second driving thread waits for the first to finish: 60 s. */
    public static final Duration DRIVER_WAIT = Duration.ofSeconds(60);
    /** Most tasks {@link #runUntilIdle()} runs before deciding that something reschedules itself forever. */
    public static final int MAX_IDLE_TASKS = 50_000_000;

    private static final ThreadLocal<Handoff> CURRENT_CALL = new ThreadLocal<>();
    private static final ThreadLocal<Boolean> INLINE_CALL = new ThreadLocal<>();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Instant start;
    private final Object lock = new Object();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final ReentrantLock driver = new ReentrantLock();
    private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    private final Executor executor = new VirtualExecutor(this::queueBlocking);
    private final Executor inlineExecutor = new VirtualExecutor(this::queueInline);
    private volatile ExecutorService workers;
    private long now;
    private long sequence;
    private int cancelled;

    /** A scheduler whose time starts at {@link #DEFAULT_START}. */
    public VirtualScheduler() {
        this(DEFAULT_START);
    }

    /** A scheduler whose time starts at {@code start}. */
    public VirtualScheduler(Instant start) {
        this.start = Arguments.notNull("start", start);
    }

    // ------------------------------------------------------------------------------------------------ Clock

    @Override
    public Clock clock() {
        return this;
    }

    @Override
    public Instant now() {
        synchronized (lock) {
            return start.plusNanos(now);
        }
    }

    @Override
    public long nanoTime() {
        synchronized (lock) {
            return now;
        }
    }

    /** Virtual time elapsed since the start. */
    public Duration elapsed() {
        return Duration.ofNanos(nanoTime());
    }

    // ------------------------------------------------------------------------------------------------ Scheduler

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        if (delay == null || task == null) {
            throw new IllegalArgumentException("delay and task must not be null");
        }
        Task t;
        synchronized (lock) {
            long due = saturatedAdd(now, delay.isNegative() ? 0 : nanos(delay));
            t = new Task(due, sequence++, task);
            queue.add(t);
        }
        return () -> cancel(t);
    }

    private boolean cancel(Task t) {
        synchronized (lock) {
            if (t.started || t.cancelled) {
                return false;
            }
            t.cancelled = true;
            cancelled++;
            if (cancelled > 1024 && cancelled > queue.size() / 2) {
                queue.removeIf(x -> x.cancelled);
                cancelled = 0;
            }
            return true;
        }
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public int pendingTasks() {
        synchronized (lock) {
            return queue.size() - cancelled;
        }
    }

    /** Failures thrown by tasks so far (they do not stop the scheduler), oldest first. */
    public List<Throwable> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    // ------------------------------------------------------------------------------------------------ driving

    /**
     * Moves time forward by {@code duration}, running every task due until then in time order on this thread (including
     * tasks those tasks schedule). Time ends exactly {@code duration} later.
     */
    public void advance(Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be null or negative, was " + duration);
        }
        drive(() -> {
            long limit;
            synchronized (lock) {
                limit = saturatedAdd(now, nanos(duration));
            }
            Task t;
            while ((t = next(limit)) != null) {
                run(t);
            }
            synchronized (lock) {
                now = Math.max(now, limit);
            }
            return true;
        });
    }

    /**
     * Runs tasks, jumping time to each, until none is left.
     *
     * @return how many tasks ran
     * @throws IllegalStateException after {@link #MAX_IDLE_TASKS} tasks (something reschedules itself forever)
     */
    public int runUntilIdle() {
        int[] count = {0};
        drive(() -> {
            Task t;
            while ((t = next(Long.MAX_VALUE)) != null) {
                run(t);
                if (++count[0] >= MAX_IDLE_TASKS) {
                    throw new IllegalStateException("runUntilIdle ran " + MAX_IDLE_TASKS
                            + " tasks and the scheduler is still busy; use runUntil or advance");
                }
            }
            return true;
        });
        return count[0];
    }

    /**
     * Runs tasks in time order until {@code done} holds (checked before each task) or {@code maxVirtual} of virtual
     * time has passed. When no task is due within the bound, time jumps to the bound.
     *
     * @return whether {@code done} holds at the end
     */
    public boolean runUntil(BooleanSupplier done, Duration maxVirtual) {
        if (done == null || maxVirtual == null || maxVirtual.isNegative()) {
            throw new IllegalArgumentException("done and maxVirtual must be given and maxVirtual not negative, was "
                    + maxVirtual);
        }
        return drive(() -> {
            long limit;
            synchronized (lock) {
                limit = saturatedAdd(now, nanos(maxVirtual));
            }
            while (!done.getAsBoolean()) {
                Task t = next(limit);
                if (t == null) {
                    synchronized (lock) {
                        now = Math.max(now, limit);
                    }
                    return done.getAsBoolean();
                }
                run(t);
            }
            return true;
        });
    }

    private boolean drive(java.util.function.BooleanSupplier body) {
        if (driver.isHeldByCurrentThread()) {
            throw new IllegalStateException("the virtual scheduler cannot be driven from inside one of its tasks");
        }
        if (CURRENT_CALL.get() != null) {
            throw new IllegalStateException("the virtual scheduler cannot be driven from inside a call of its executor");
        }
        try {
            if (!driver.tryLock(DRIVER_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("another thread has been driving this virtual scheduler for "
                        + DRIVER_WAIT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting to drive the virtual scheduler", e);
        }
        try {
            return body.getAsBoolean();
        } finally {
            driver.unlock();
        }
    }

    private Task next(long limit) {
        synchronized (lock) {
            Task t;
            while ((t = queue.peek()) != null) {
                if (t.cancelled) {
                    queue.poll();
                    cancelled--;
                    continue;
                }
                if (t.due > limit) {
                    return null;
                }
                queue.poll();
                t.started = true;
                if (t.due > now) {
                    now = t.due;
                }
                return t;
            }
            return null;
        }
    }

    private void run(Task t) {
        try {
            t.task.run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            failures.add(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ executor

    /**
     * An {@link Executor} for the engine's blocking calls: each task is queued as a zero-delay task of this scheduler;
     * when it runs, the driving thread waits until it ends (or {@link #hangUntilInterrupted() hangs}), so everything
     * happens in virtual-time order. Thread-safe.
     */
    public Executor executor() {
        return executor;
    }

    /**
     * A faster {@link Executor} for large simulations and benchmarks: each task is queued as a zero-delay task and runs
     * on the driving thread itself, with no thread hand-off. Calls must not block: a fake that calls
     * {@link #hangUntilInterrupted()} from it gets an {@link IllegalStateException} (use {@link #executor()} to simulate
     * hangs). Thread-safe.
     */
    public Executor inlineExecutor() {
        return inlineExecutor;
    }

    /** Whether {@code e} is the {@link #executor()} or {@link #inlineExecutor()} of some virtual scheduler. */
    public static boolean isVirtualExecutor(Executor e) {
        return e instanceof VirtualExecutor;
    }

    /** The executors of a virtual scheduler, recognisable as such. */
    private record VirtualExecutor(Executor queue) implements Executor {
        @Override
        public void execute(Runnable r) {
            queue.execute(r);
        }
    }

    private void queueInline(Runnable r) {
        if (r == null) {
            throw new NullPointerException("task");
        }
        schedule(Duration.ZERO, () -> {
            INLINE_CALL.set(Boolean.TRUE);
            try {
                r.run();
            } finally {
                INLINE_CALL.remove();
            }
        });
    }

    private void queueBlocking(Runnable r) {
        if (r == null) {
            throw new NullPointerException("task");
        }
        schedule(Duration.ZERO, () -> runBlocking(r));
    }

    private void runBlocking(Runnable r) {
        Handoff h = new Handoff();
        workers().execute(() -> {
            CURRENT_CALL.set(h);
            try {
                r.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                failures.add(e);
            } finally {
                CURRENT_CALL.remove();
                h.latch.countDown();
            }
        });
        try {
            if (!h.latch.await(BLOCKING_CALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                failures.add(new IllegalStateException("a blocking call ran for more than " + BLOCKING_CALL_LIMIT.toSeconds()
                        + " s of wall time without ending or calling VirtualScheduler.hangUntilInterrupted(); going on"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ExecutorService workers() {
        ExecutorService w = workers;
        if (w == null) {
            synchronized (lock) {
                w = workers;
                if (w == null) {
                    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
                            new java.util.concurrent.SynchronousQueue<>(), run -> {
                                Thread t = new Thread(run, "zdd-virtual-call-" + THREADS.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
                    workers = w = pool;
                }
            }
        }
        return w;
    }

    /**
     * Simulates a call that never answers: blocks the calling thread until it is interrupted (as the engine does when a
     * call's deadline passes), then throws {@link InterruptedException}. When called from a task of some
     * {@link #executor()}, it first lets that scheduler go on with virtual time. Gives up after {@link #HANG_LIMIT} of
     * wall time with {@link IllegalStateException}, so that a forgotten hang cannot block a test run forever.
     */
    public static void hangUntilInterrupted() throws InterruptedException {
        if (INLINE_CALL.get() != null) {
            throw new IllegalStateException("a call run by VirtualScheduler.inlineExecutor() cannot hang (it runs on the"
                    + " thread that drives time); use VirtualScheduler.executor() to simulate calls that never answer");
        }
        Handoff h = CURRENT_CALL.get();
        if (h != null) {
            h.latch.countDown();
        }
        if (new CountDownLatch(1).await(HANG_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("unreachable");
        }
        throw new IllegalStateException("a simulated hang was not interrupted within " + HANG_LIMIT.toSeconds() + " s");
    }

    private static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    @Override
    public String toString() {
        return "VirtualScheduler[" + now() + ", " + pendingTasks() + " pending]";
    }

    /** One scheduled task. */
    private static final class Task implements Comparable<Task> {
        final long due;
        final long seq;
        final Runnable task;
        boolean started;
        boolean cancelled;

        Task(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** Released when a blocking call ends or declares that it hangs. */
    private static final class Handoff {
        final CountDownLatch latch = new CountDownLatch(1);
    }
}
