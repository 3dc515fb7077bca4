package dev.zdd.core.testing;

import dev.zdd.api.Arguments;
import dev.zdd.api.Cancellable;
import dev.zdd.api.Clock;
import dev.zdd.api.Scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
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
 * deterministic. A fake running inside such a call may block in virtual time with the static helpers:
 * <ul>
 *   <li>{@link #hangUntilInterrupted()}: a call that never answers (until the engine interrupts it);</li>
 *   <li>{@link #blockFor(Duration)}: a call that takes that much virtual time, or ends early with
 *       {@link InterruptedException} when the engine interrupts it;</li>
 *   <li>{@link #blockUninterruptiblyFor(Duration)}: a call that takes that much virtual time whatever happens (a
 *       {@code docker stop} that completes although the engine gave up on it), then returns with its interrupt flag
 *       set if it was interrupted;</li>
 *   <li>{@link #meanwhile(Runnable)}: something another thread does while the call is in flight (a person's
 *       {@code abort()} arriving at that moment).</li>
 * </ul>
 * While such a call is blocked, the driving thread goes on with virtual time; the call is released by a task of this
 * scheduler at the right virtual time, and the driving thread then waits until the call ends or blocks again. Interrupts
 * are deterministic too: after every task, the driving thread waits until every blocked call that task interrupted has
 * settled (ended, or blocked again) before it runs the next one. So, as long as fakes block only through these helpers,
 * one thread at a time runs and a run depends only on its inputs. Each call costs two thread switches (the threads are
 * shared by all virtual schedulers); for simulations of thousands of targets whose fakes never block,
 * {@link #inlineExecutor()} runs calls on the driving thread itself. {@link #shutdown()} releases the calls still
 * blocked when a test is over.
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
    /**
     * Most wall time {@link #hangUntilInterrupted()} waits for its interrupt, and any blocking helper for its release:
     * 60 s.
     */
    public static final Duration HANG_LIMIT = Duration.ofSeconds(60);
    /** Most wall time a second driving thread waits for the first to finish: 60 s. */
    public static final Duration DRIVER_WAIT = Duration.ofSeconds(60);
    /** Most tasks {@link #runUntilIdle()} runs before deciding that something reschedules itself forever. */
    public static final int MAX_IDLE_TASKS = 50_000_000;

    private static final ThreadLocal<VirtualCall> CURRENT_CALL = new ThreadLocal<>();
    private static final ThreadLocal<Boolean> INLINE_CALL = new ThreadLocal<>();
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Threads of the blocking calls of all virtual schedulers (idle ones end after 10 s). */
    private static final ExecutorService WORKERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
            new java.util.concurrent.SynchronousQueue<>(), run -> {
                Thread t = new Thread(run, "zdd-virtual-call-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private final Instant start;
    private final Object lock = new Object();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final ReentrantLock driver = new ReentrantLock();
    private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    private final Executor executor = new VirtualExecutor(this::queueBlocking);
    private final Executor inlineExecutor = new VirtualExecutor(this::queueInline);
    /** Blocking calls started and not ended, in start order; guarded by {@link #lock}. */
    private final Set<VirtualCall> live = new LinkedHashSet<>();
    private boolean shutDown;
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
        settle();
    }

    // ------------------------------------------------------------------------------------------------ executor

    /**
     * An {@link Executor} for the engine's blocking calls: each task is queued as a zero-delay task of this scheduler;
     * when it runs, the driving thread waits until it ends or blocks through one of the static helpers
     * ({@link #blockFor}, {@link #blockUninterruptiblyFor}, {@link #hangUntilInterrupted}, {@link #meanwhile}), so
     * everything happens in virtual-time order. Thread-safe.
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
        synchronized (lock) {
            if (shutDown) {
                throw new java.util.concurrent.RejectedExecutionException("the virtual scheduler was shut down");
            }
        }
        schedule(Duration.ZERO, () -> runBlocking(r));
    }

    /** Starts {@code r} on a worker thread; {@link #settle()}, right after this task, waits until it ends or blocks. */
    private void runBlocking(Runnable r) {
        VirtualCall c = new VirtualCall(this);
        synchronized (lock) {
            if (shutDown) {
                return;
            }
            live.add(c);
        }
        try {
            WORKERS.execute(() -> {
                CURRENT_CALL.set(c);
                try {
                    r.run();
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    CURRENT_CALL.remove();
                    c.end();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            c.end();
            failures.add(e);
        }
    }

    /**
     * Waits (on the driving thread) until no blocking call runs: each call started or released has ended or blocked
     * again, each call a task interrupted has settled, and each {@link #meanwhile(Runnable)} action has run here. Every
     * wait is bounded by {@link #BLOCKING_CALL_LIMIT}; a call that overruns it is recorded in {@link #failures()} and no
     * longer waited for.
     */
    private void settle() {
        List<VirtualCall> resume = new ArrayList<>();
        while (true) {
            boolean progress = false;
            List<VirtualCall> calls;
            synchronized (lock) {
                calls = new ArrayList<>(live);
            }
            for (VirtualCall c : calls) {
                Runnable action = c.awaitSettled();
                if (action != null) {
                    try {
                        action.run();
                    } catch (VirtualMachineError e) {
                        throw e;
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                    resume.add(c);
                    progress = true;
                } else if (c.waited) {
                    c.waited = false;
                    progress = true;
                }
            }
            if (progress) {
                continue;
            }
            if (resume.isEmpty()) {
                return;
            }
            resume.remove(0).release();
        }
    }

    void recordFailure(Throwable t) {
        failures.add(t);
    }

    /** Whether a thread is driving time now (then interrupted calls wait for their turn). */
    boolean driving() {
        return driver.isLocked();
    }

    void forget(VirtualCall c) {
        synchronized (lock) {
            live.remove(c);
        }
    }

    /**
     * Releases every blocking call still blocked in one of the helpers (each then throws
     * {@link IllegalStateException}) and refuses new ones, so that their threads return to the pool. For the end of a
     * test or of one run of a simulation; virtual time stands still afterwards.
     */
    public void shutdown() {
        List<VirtualCall> calls;
        synchronized (lock) {
            shutDown = true;
            calls = new ArrayList<>(live);
            live.clear();
            queue.clear();
            cancelled = 0;
        }
        for (VirtualCall c : calls) {
            c.shutdown();
        }
    }

    /** {@code true} on the thread of a call of some {@link #executor()} (where the blocking helpers work). */
    public static boolean inCall() {
        return CURRENT_CALL.get() != null;
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
        VirtualCall c = CURRENT_CALL.get();
        if (c != null) {
            c.block(null, true);
            throw new AssertionError("unreachable");
        }
        if (new CountDownLatch(1).await(HANG_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("unreachable");
        }
        throw new IllegalStateException("a simulated hang was not interrupted within " + HANG_LIMIT.toSeconds() + " s");
    }

    /**
     * Simulates a call that takes {@code virtual} time: blocks until the scheduler's time has moved that far, then
     * returns; when interrupted first (the engine's deadline or an abort), throws {@link InterruptedException} at once.
     * Throws at once too when the thread is already interrupted. Only inside a call of {@link #executor()}.
     *
     * @param virtual how long, in virtual time; zero or negative returns at once (unless interrupted)
     * @throws IllegalStateException outside a call of {@link #executor()}, after {@link #HANG_LIMIT} of wall time
     *                               without release, or when the scheduler is {@link #shutdown() shut down}
     */
    public static void blockFor(Duration virtual) throws InterruptedException {
        Arguments.notNull("virtual", virtual);
        VirtualCall c = callOrThrow("blockFor");
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before blocking");
        }
        if (virtual.isNegative() || virtual.isZero()) {
            return;
        }
        c.block(virtual, true);
    }

    /**
     * Simulates a call that takes {@code virtual} time whatever happens: ignores interrupts until the scheduler's time
     * has moved that far, then returns with the interrupt flag set when it was interrupted meanwhile (or before). Models
     * an operation that completes although the engine gave up on it, such as a {@code docker stop}. Only inside a call
     * of {@link #executor()}.
     *
     * @param virtual how long, in virtual time; zero or negative returns at once
     * @throws IllegalStateException outside a call of {@link #executor()}, after {@link #HANG_LIMIT} of wall time
     *                               without release, or when the scheduler is {@link #shutdown() shut down}
     */
    public static void blockUninterruptiblyFor(Duration virtual) {
        Arguments.notNull("virtual", virtual);
        VirtualCall c = callOrThrow("blockUninterruptiblyFor");
        if (virtual.isNegative() || virtual.isZero()) {
            return;
        }
        try {
            c.block(virtual, false);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible block threw InterruptedException", e);
        }
    }

    /**
     * Runs {@code action} as another thread would while this call is in flight (for example a person's
     * {@code deployment.abort(...)} arriving at that moment): inside a call of {@link #executor()}, the call blocks,
     * the driving thread runs {@code action} and settles whatever it interrupted, then the call goes on (with its
     * interrupt flag set if {@code action} interrupted it). Elsewhere, runs {@code action} on the calling thread.
     * Exceptions thrown by {@code action} are recorded in {@link #failures()} (inside a call) or propagate.
     */
    public static void meanwhile(Runnable action) {
        Arguments.notNull("action", action);
        VirtualCall c = CURRENT_CALL.get();
        if (c == null) {
            action.run();
            return;
        }
        c.ask(action);
    }

    private static VirtualCall callOrThrow(String what) {
        if (INLINE_CALL.get() != null) {
            throw new IllegalStateException("a call run by VirtualScheduler.inlineExecutor() cannot block (it runs on the"
                    + " thread that drives time); use VirtualScheduler.executor() for " + what);
        }
        VirtualCall c = CURRENT_CALL.get();
        if (c == null) {
            throw new IllegalStateException("VirtualScheduler." + what + " works only inside a call of"
                    + " VirtualScheduler.executor(), not on thread " + Thread.currentThread().getName());
        }
        return c;
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
}
