package dev.zdd.core.internal;

import dev.zdd.api.Cancellable;
import dev.zdd.api.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Bounded calls and timers of one deployment: every blocking call (router, launcher, probe, check, hook) runs on an
 * executor, in a {@link Lane} or straight, bounded by a deadline timer on the {@link Scheduler}; its answer comes back on
 * the deployment's {@link Actor}. A call whose deadline passes, or whose {@link Scope} closes (abort), is <em>cut off</em>:
 * its thread is interrupted and the caller hears {@link CallDeadline} (deadline) or nothing (scope closed). A cut-off
 * call may still have done its work: callers that must know (launches and retires) also pass a {@code settled}
 * callback, told on the actor when the call really ended, or that it never ran, or that its lane gave up waiting.
 *
 * <p>Not thread-safe except where noted: confined to the deployment's actor. Internal.
 */
final class Calls {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final String deploymentId;
    private final Scheduler scheduler;
    private final Executor executor;
    private final Actor actor;

    Calls(String deploymentId, Scheduler scheduler, Executor executor, Actor actor) {
        this.deploymentId = deploymentId;
        this.scheduler = scheduler;
        this.executor = executor;
        this.actor = actor;
    }

    /** How a call really ended, as far as the engine can know. */
    enum End {
        /** The body returned a value. */
        RETURNED,
        /** The body threw. */
        THREW,
        /** The body never ran (dropped from its lane, refused by the executor, or cut off before it started). */
        NOT_RUN,
        /** Its lane gave up waiting for a cut-off call that still runs; a later {@code late} answer may follow. */
        ABANDONED
    }

    /**
     * What a call really did.
     *
     * @param end   how it ended
     * @param value the value when RETURNED
     * @param error the failure when THREW or NOT_RUN (refused)
     * @param late  whether this answer came after an ABANDONED one
     */
    record Settled<T>(End end, T value, Throwable error, boolean late) {
    }

    /** {@link #call(Scope, Lane, String, Duration, Callable, BiConsumer, Consumer)} without a settled callback. */
    <T> void call(Scope scope, Lane lane, String what, Duration deadline, Callable<T> body, BiConsumer<T, Throwable> then) {
        call(scope, lane, what, deadline, body, then, null);
    }

    /**
     * Runs {@code body} in {@code lane} ({@code null}: straight on the executor), bounded by {@code deadline} counted from
     * when it starts. {@code then} runs on the actor exactly once, with the value or the failure ({@link CallDeadline}
     * when the deadline passes first), unless {@code scope} closes first. {@code settled} (may be null) runs on the actor
     * when the call really ends, whatever happened to {@code then}.
     */
    <T> void call(Scope scope, Lane lane, String what, Duration deadline, Callable<T> body, BiConsumer<T, Throwable> then,
                  Consumer<Settled<T>> settled) {
        if (scope.closed()) {
            if (settled != null) {
                actor.post(() -> settled.accept(new Settled<>(End.NOT_RUN, null, null, false)));
            }
            return;
        }
        Op<T> op = new Op<>(scope, what, deadline, then, settled);
        op.task = new CallTask<>(body, () -> actor.post(() -> op.ended()));
        scope.add(op);
        if (lane != null) {
            op.lane = lane;
            op.ticket = lane.submit(what, new Lane.Job() {
                @Override
                public void run() {
                    if (op.task.startable()) {
                        op.arm();
                    }
                    op.task.run();
                }

                @Override
                public void rejected(RejectedExecutionException e) {
                    actor.post(() -> op.refused(e));
                }

                @Override
                public void dropped() {
                    actor.post(() -> op.settle(new Settled<>(End.NOT_RUN, null, null, false)));
                }

                @Override
                public void abandoned() {
                    actor.post(() -> op.settle(new Settled<>(End.ABANDONED, null, null, false)));
                }
            });
            return;
        }
        op.arm();
        try {
            executor.execute(op.task);
        } catch (RejectedExecutionException e) {
            op.refused(e);
        }
    }

    /** Runs {@code then} on the actor after {@code delay} unless the scope closes first; the returned task cancels it. */
    Runnable timer(Scope scope, Duration delay, Runnable then) {
        Timer t = new Timer(scope, then);
        scope.add(t);
        t.handle = scheduler.schedule(delay, () -> actor.post(t::fire));
        return t;
    }

    /** A timer of {@link #timer}; running it cancels it. */
    private static final class Timer implements Runnable {
        private final Scope scope;
        private final Runnable then;
        private volatile Cancellable handle;
        private boolean done;

        Timer(Scope scope, Runnable then) {
            this.scope = scope;
            this.then = then;
        }

        void fire() {
            if (done || scope.closed()) {
                return;
            }
            done = true;
            scope.remove(this);
            then.run();
        }

        @Override
        public void run() {
            done = true;
            Cancellable h = handle;
            if (h != null) {
                h.cancel();
            }
        }
    }

    /** A blocking call in flight; running it (when its scope closes) cuts it off. */
    private final class Op<T> implements Runnable {
        private final Scope scope;
        private final String what;
        private final Duration deadline;
        private final BiConsumer<T, Throwable> then;
        private final Consumer<Settled<T>> settled;
        CallTask<T> task;
        Lane lane;
        Lane.Ticket ticket;
        private volatile Cancellable timer;
        private boolean answered;
        private boolean abandoned;
        private boolean settledTold;

        Op(Scope scope, String what, Duration deadline, BiConsumer<T, Throwable> then, Consumer<Settled<T>> settled) {
            this.scope = scope;
            this.what = what;
            this.deadline = deadline;
            this.then = then;
            this.settled = settled;
        }

        /** Arms the deadline (any thread). */
        void arm() {
            timer = scheduler.schedule(deadline, () -> actor.post(this::deadlinePassed));
        }

        private void deadlinePassed() {
            if (answered || scope.closed()) {
                return;
            }
            answered = true;
            scope.remove(this);
            cutOff();
            String message = "deadline of " + Texts.duration(deadline) + " exceeded (" + what + ")";
            LOG.warn("deployment {}: {}", deploymentId, message);
            then.accept(null, new CallDeadline(message));
        }

        /** The scope closed: nobody waits for the answer any more. */
        @Override
        public void run() {
            answered = true;
            Cancellable t = timer;
            if (t != null) {
                t.cancel();
            }
            cutOff();
        }

        private void cutOff() {
            task.cut();
            if (ticket != null) {
                lane.giveUp(ticket);
            }
        }

        /** The body ended (on the actor). */
        void ended() {
            Settled<T> s = task.error == null ? new Settled<>(End.RETURNED, task.value, null, abandoned)
                    : !task.ran ? new Settled<>(End.NOT_RUN, null, null, abandoned)
                    : new Settled<>(End.THREW, null, task.error, abandoned);
            // what the call did is recorded before its caller goes on
            settle(s);
            answer(task.value, task.error);
        }

        /** Gives {@code then} the answer, once, unless the deadline or the scope came first. */
        private void answer(T value, Throwable error) {
            if (answered || scope.closed()) {
                return;
            }
            answered = true;
            scope.remove(this);
            Cancellable t = timer;
            if (t != null) {
                t.cancel();
            }
            then.accept(value, error);
        }

        void refused(RejectedExecutionException e) {
            IllegalStateException error = new IllegalStateException("executor rejected " + what + ": " + Texts.message(e), e);
            settle(new Settled<>(End.NOT_RUN, null, error, false));
            answer(null, error);
        }

        void settle(Settled<T> s) {
            if (s.end() == End.ABANDONED) {
                abandoned = true;
            }
            if (settled == null || (settledTold && !s.late())) {
                return;
            }
            settledTold = true;
            settled.accept(s);
        }
    }

    /**
     * The task of one call: runs the body unless cut off before it started, keeps what it returned or threw even when
     * cut off, and interrupts its thread when cut off while running. Thread-safe.
     */
    private static final class CallTask<T> implements Runnable {
        private final Callable<T> body;
        private final Runnable onEnd;
        private Thread runner;     // guarded by this
        private boolean cut;       // guarded by this
        volatile boolean ran;
        volatile T value;
        volatile Throwable error;

        CallTask(Callable<T> body, Runnable onEnd) {
            this.body = body;
            this.onEnd = onEnd;
        }

        synchronized boolean startable() {
            return !cut;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (cut) {
                    error = new java.util.concurrent.CancellationException("cut off before it started");
                    onEnd.run();
                    return;
                }
                runner = Thread.currentThread();
                ran = true;
            }
            try {
                value = body.call();
            } catch (Throwable e) {
                if (e instanceof VirtualMachineError v) {
                    throw v;
                }
                error = e;
            } finally {
                synchronized (this) {
                    runner = null;
                    Thread.interrupted(); // a pool thread never keeps an interrupt meant for this call
                }
            }
            onEnd.run();
        }

        synchronized void cut() {
            cut = true;
            if (runner != null) {
                runner.interrupt();
            }
        }
    }
}
