package dev.zdd.core.testing;

import dev.zdd.api.Cancellable;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One blocking call of {@link VirtualScheduler#executor()}, as the driving thread and the call's own thread see it. State changes happen under the call's own monitor, and a call blocks with
 * {@link Object#wait} on it: per JLS 17.2 an interrupted waiting thread clears its interrupt flag only after it has
 * acquired the monitor again, so the driving thread, holding the monitor, sees either the flag or the new state.
 *
 * <p>Thread-safe (guarded by its own monitor). Internal to the test kit.
 */
final class VirtualCall {
    private enum CallState {
        /** Running on its thread: the driving thread waits. */
        RUNNING,
        /** Blocked, ends early on interrupt: the driving thread waits only when the call's thread is interrupted. */
        BLOCKED,
        /** Interrupted while {@link #BLOCKED}: waits until the driving thread lets it go on (and throw). */
        INTERRUPTED,
        /** Blocked, ignores interrupts. */
        BLOCKED_UNINTERRUPTIBLY,
        /** Asks the driving thread to run an action for it ({@link VirtualScheduler#meanwhile}). */
        ASKING,
        /** Waiting while the driving thread runs its action. */
        WAITING_FOR_ACTION,
        /** Over. */
        ENDED
    }

    private final VirtualScheduler owner;
    private Thread thread;
    private CallState state = CallState.RUNNING;
    private long generation;
    private boolean released;
    private boolean shutDown;
    private boolean stuck;
    private Runnable action;
    /** Set by {@link #awaitSettled()} when it had to wait; read and cleared by the driving thread only. */
    boolean waited;

    VirtualCall(VirtualScheduler owner) {
        this.owner = owner;
    }

    /**
     * Driving thread: waits until the call neither runs nor is about to; lets an interrupted block go on (one call
     * at a time, so that calls a task interrupted together unwind one after the other); returns an action the call
     * asks for, if any.
     */
    synchronized Runnable awaitSettled() {
        if (stuck) {
            return null;
        }
        long until = System.nanoTime() + VirtualScheduler.BLOCKING_CALL_LIMIT.toNanos();
        while (true) {
            if (state == CallState.INTERRUPTED) {
                released = true;
                state = CallState.RUNNING;
                notifyAll();
            } else if (state != CallState.RUNNING && !(state == CallState.BLOCKED && thread.isInterrupted())) {
                break;
            }
            waited = true;
            long left = until - System.nanoTime();
            if (left <= 0) {
                stuck = true;
                owner.recordFailure(new IllegalStateException("a blocking call ran for more than "
                        + VirtualScheduler.BLOCKING_CALL_LIMIT.toSeconds() + " s of wall time without ending or blocking through a"
                        + " VirtualScheduler helper; going on without it"));
                return null;
            }
            try {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stuck = true;
                return null;
            }
        }
        if (state == CallState.ASKING) {
            Runnable a = action;
            action = null;
            state = CallState.WAITING_FOR_ACTION;
            return a;
        }
        return null;
    }

    /**
     * Call thread: blocks until released at {@code virtual} from now ({@code null}: never) or, if allowed,
     * interrupted (then waits until the driving thread lets it go on, and throws).
     */
    void block(Duration virtual, boolean interruptible) throws InterruptedException {
        long gen;
        synchronized (this) {
            thread = Thread.currentThread();
            gen = ++generation;
            released = false;
        }
        Cancellable release = virtual == null ? null : owner.schedule(virtual, () -> release(gen));
        boolean interrupted = false;
        boolean stopped = false;
        synchronized (this) {
            state = interruptible ? CallState.BLOCKED : CallState.BLOCKED_UNINTERRUPTIBLY;
            notifyAll();
            long until = System.nanoTime() + VirtualScheduler.HANG_LIMIT.toNanos();
            while (!released) {
                long left = until - System.nanoTime();
                if (shutDown || left <= 0) {
                    state = CallState.RUNNING;
                    throw new IllegalStateException(shutDown ? "the virtual scheduler was shut down"
                            : virtual == null ? "a simulated hang was not interrupted within " + VirtualScheduler.HANG_LIMIT.toSeconds() + " s"
                            : "a simulated blocking call was not released within " + VirtualScheduler.HANG_LIMIT.toSeconds()
                                    + " s of wall time (is virtual time moving?)");
                }
                try {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    if (interruptible && !stopped && state == CallState.BLOCKED) {
                        stopped = true;
                        if (owner.driving()) {
                            state = CallState.INTERRUPTED; // the driving thread lets it go on when its turn comes
                            notifyAll();
                        } else {
                            released = true; // interrupted from outside while nobody drives: go on at once
                            state = CallState.RUNNING;
                        }
                    } else {
                        interrupted = true;
                    }
                }
            }
        }
        if (stopped) {
            if (release != null) {
                release.cancel();
            }
            throw new InterruptedException("interrupted while blocked in virtual time");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Driving thread (a task of the scheduler): ends the block of generation {@code gen}, if still on. */
    synchronized void release(long gen) {
        if (gen == generation && !released
                && (state == CallState.BLOCKED || state == CallState.BLOCKED_UNINTERRUPTIBLY)) {
            released = true;
            state = CallState.RUNNING;
            notifyAll();
        }
    }

    /** Call thread: has the driving thread run {@code a}, then goes on. */
    void ask(Runnable a) {
        boolean interrupted = Thread.interrupted();
        synchronized (this) {
            thread = Thread.currentThread();
            action = a;
            released = false;
            state = CallState.ASKING;
            notifyAll();
            long until = System.nanoTime() + VirtualScheduler.HANG_LIMIT.toNanos();
            while (!released) {
                long left = until - System.nanoTime();
                if (shutDown || left <= 0) {
                    state = CallState.RUNNING;
                    throw new IllegalStateException(shutDown ? "the virtual scheduler was shut down"
                            : "the driving thread did not run a meanwhile() action within " + VirtualScheduler.HANG_LIMIT.toSeconds() + " s");
                }
                try {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted || Thread.interrupted()) {
            Thread.currentThread().interrupt();
        }
    }

    /** Driving thread: lets a call whose action ran go on. */
    synchronized void release() {
        if (state == CallState.WAITING_FOR_ACTION) {
            released = true;
            state = CallState.RUNNING;
            notifyAll();
        }
    }

    void end() {
        synchronized (this) {
            state = CallState.ENDED;
            notifyAll();
        }
        owner.forget(this);
    }

    synchronized void shutdown() {
        shutDown = true;
        notifyAll();
    }
}
