package dev.zdd.core.router;

import dev.zdd.api.Arguments;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.internal.io.DaemonThreads;
import dev.zdd.core.internal.io.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Several routers switched as one, all or nothing: for example two nginx in front of one application, or an nginx and
 * an in-process router.
 *
 * <p>{@link #apply(Routing)} first reads every member's {@code current()} (the undo point), then applies the table to
 * all members in parallel, waiting at most {@link Builder#timeout(Duration)}. If any member fails or times out, every
 * member that switched or whose state is unknown gets its previous table back (the undo, also in parallel and bounded;
 * re-applying a table is idempotent), and a {@link RouterException} names the member that failed, its error, and
 * whether the undo worked. Members whose apply threw are not touched again: by the {@link TrafficRouter} contract they
 * still serve as before. A member whose call timed out (or was cut short by an interrupt of the caller) is reported as
 * "state unknown": its call is cancelled with an interrupt of the thread running it, and the undo waits for that call to
 * end before re-applying the previous table, so that a late finish cannot leave it on the new table; if the call has
 * not ended by the undo's deadline, the undo reports it as failed. If the caller is interrupted, the calls still running
 * are cancelled, what was done is undone all the same (bounded by the timeout), and the interrupt flag is set again
 * before the {@link RouterException} is thrown.
 *
 * <p>{@link #current()} reads every member and returns the common table (the first member's), or throws a
 * {@link RouterException} "routers disagree: ..." when they do not send traffic the same way
 * ({@link Routing#sameTrafficAs(Routing)}). {@link #capabilities()} is the intersection of the members' (the smallest
 * {@code maxWeight}; {@code connectionCounts} false, as this class does not sum connection counts), except that
 * stickiness over two or more members is declared only when the caller says they hash keys alike
 * ({@link Builder#membersHashAlike(boolean)}, default false): members of different kinds hash differently, which would
 * silently break "one user, one version".
 *
 * <p>Thread-safe: applies are serialised. Build with {@link #allOrNothing(TrafficRouter...)} or {@link #builder()}.
 */
public final class CompositeRouter implements TrafficRouter {
    /** Default of {@link Builder#membersHashAlike(boolean)}: {@value} (stickiness not declared over several members). */
    public static final boolean DEFAULT_MEMBERS_HASH_ALIKE = false;
    /** Default bound of each parallel phase (read, apply, undo): 60 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(CompositeRouter.class);

    private final List<String> names;
    private final List<TrafficRouter> routers;
    private final Duration timeout;
    private final Executor executor;
    private final RouterCapabilities capabilities;
    private final boolean membersSticky;
    private final Object lock = new Object();

    private CompositeRouter(Builder b) {
        this.names = List.copyOf(b.names);
        this.routers = List.copyOf(b.routers);
        this.timeout = b.timeout;
        this.executor = b.executor;
        int max = Routing.MAX_WEIGHT;
        boolean drain = true;
        boolean sticky = true;
        boolean rules = true;
        for (TrafficRouter r : routers) {
            RouterCapabilities c = r.capabilities();
            max = Math.min(max, c.maxWeight());
            drain &= c.drain();
            sticky &= c.stickiness();
            rules &= c.rules();
        }
        this.membersSticky = sticky;
        this.capabilities = new RouterCapabilities(max, drain, sticky && (b.membersHashAlike || routers.size() == 1),
                rules, false);
    }

    /** All-or-nothing over {@code routers}, named {@code router-1}, {@code router-2}, ... in messages; default timeout and executor. */
    public static CompositeRouter allOrNothing(TrafficRouter... routers) {
        Builder b = builder();
        if (routers == null) {
            throw new IllegalArgumentException("compositeRouter.routers must not be null");
        }
        for (int i = 0; i < routers.length; i++) {
            b.router("router-" + (i + 1), routers[i]);
        }
        return b.build();
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RouterCapabilities capabilities() {
        return capabilities;
    }

    /** The members' names, in order. */
    public List<String> names() {
        return names;
    }

    @Override
    public void apply(Routing routing) {
        apply(routing, dev.zdd.api.Fence.NONE);
    }

    /** Applies to every member, passing each the fence (so that fenced members can refuse a stale token). */
    @Override
    public void apply(Routing routing, dev.zdd.api.Fence fence) {
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(fence, "fence");
        if (routing.stickiness() != null && !capabilities.stickiness() && membersSticky) {
            throw new IllegalArgumentException("composite router " + names + " does not support stickiness (requested "
                    + routing.stickiness().key() + "): its members may hash keys differently (in-process FNV-1a, nginx "
                    + "split_clients MurmurHash2, HAProxy xxh32), so one user could reach different versions through "
                    + "different members; declare membersHashAlike(true) only when they hash alike");
        }
        capabilities.check("composite router " + names, routing);
        synchronized (lock) {
            Interrupt interrupt = new Interrupt();
            try {
                applyLocked(routing, fence, interrupt);
            } finally {
                if (interrupt.seen) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void applyLocked(Routing routing, dev.zdd.api.Fence fence, Interrupt interrupt) {
        List<Outcome<Routing>> before = runAll("read current", TrafficRouter::current, interrupt);
        List<String> unreadable = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).ok()) {
                unreadable.add(names.get(i) + ": " + before.get(i).error);
            }
        }
        if (!unreadable.isEmpty()) {
            throw new RouterException("composite apply: could not read the current routing (nothing was changed) of "
                    + String.join("; ", unreadable));
        }
        List<Outcome<Void>> applied = runAll("apply", r -> {
            r.apply(routing, fence);
            return null;
        }, interrupt);
        List<Integer> toUndo = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < applied.size(); i++) {
            Outcome<Void> o = applied.get(i);
            if (!o.failed) {
                toUndo.add(i); // switched, or state unknown (its call may finish later)
            }
            if (!o.ok()) {
                failed.add(names.get(i) + " " + o.error);
            }
        }
        if (failed.isEmpty()) {
            LOG.debug("composite router {}: applied {}", names, routing);
            return;
        }
        String undo = undo(toUndo, before, applied, fence);
        String msg = "composite apply failed on " + String.join("; ", failed) + "; " + undo;
        LOG.warn(msg);
        Throwable cause = null;
        for (Outcome<Void> o : applied) {
            if (o.cause != null) {
                cause = o.cause;
                break;
            }
        }
        throw new RouterException(msg, cause);
    }

    /**
     * Gives the previous table back to every member that switched or whose state is unknown. For a member whose apply
     * call is still running (timed out or interrupted, and not yet ended), the undo first waits for that call to end, so
     * that a late finish cannot overwrite the undo. Waits at most {@code timeout}, not interruptibly (an interrupt is
     * remembered and restored by the caller).
     */
    private String undo(List<Integer> toUndo, List<Outcome<Routing>> before, List<Outcome<Void>> applied,
                        dev.zdd.api.Fence fence) {
        if (toUndo.isEmpty()) {
            return "no router had been switched, nothing to undo";
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Call<Void>> calls = new ArrayList<>();
        for (int i : toUndo) {
            TrafficRouter r = routers.get(i);
            Routing previous = before.get(i).value;
            Call<Void> original = applied.get(i).call;
            calls.add(start(() -> {
                if (!original.awaitEnd(deadline)) {
                    throw new RouterException("its apply call was still running");
                }
                r.apply(previous, fence);
                return null;
            }));
        }
        List<String> undone = new ArrayList<>();
        List<String> notUndone = new ArrayList<>();
        Interrupt ignored = new Interrupt();
        for (int k = 0; k < toUndo.size(); k++) {
            String n = names.get(toUndo.get(k));
            Outcome<Void> o = await("undo", calls.get(k), deadline, ignored, false);
            if (o.ok()) {
                undone.add(n);
            } else if (!applied.get(toUndo.get(k)).call.hasEnded()) {
                notUndone.add(n + " not possible: its apply call was still running after " + Texts.millis(timeout)
                        + " (state unknown)");
            } else {
                notUndone.add(n + " " + o.error);
            }
        }
        if (ignored.seen) {
            Thread.currentThread().interrupt();
        }
        if (notUndone.isEmpty()) {
            return "undo succeeded: previous routing restored on " + undone;
        }
        return "undo FAILED on " + String.join("; ", notUndone) + (undone.isEmpty() ? "" : " (restored on " + undone + ")")
                + ": the routers now disagree, restore them by hand";
    }

    @Override
    public Routing current() {
        Interrupt interrupt = new Interrupt();
        List<Outcome<Routing>> all;
        try {
            all = runAll("read current", TrafficRouter::current, interrupt);
        } finally {
            if (interrupt.seen) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (!all.get(i).ok()) {
                errors.add(names.get(i) + " " + all.get(i).error);
            }
        }
        if (!errors.isEmpty()) {
            throw new RouterException("composite current: could not read " + String.join("; ", errors));
        }
        Routing first = all.get(0).value;
        boolean agree = true;
        for (int i = 1; i < all.size(); i++) {
            agree &= first.sameTrafficAs(all.get(i).value, capabilities.maxWeight());
        }
        if (!agree) {
            Map<String, Routing> views = new LinkedHashMap<>();
            for (int i = 0; i < all.size(); i++) {
                views.put(names.get(i), all.get(i).value);
            }
            StringBuilder sb = new StringBuilder("routers disagree:");
            views.forEach((n, r) -> sb.append(' ').append(n).append(" -> ").append(r).append(';'));
            sb.setLength(sb.length() - 1);
            throw new RouterException(sb.toString());
        }
        return first;
    }

    /**
     * Runs {@code call} on every member in parallel and waits until the deadline. After an interrupt of the caller
     * (remembered in {@code interrupt}, the flag cleared) the calls not yet done are cancelled at once.
     */
    private <T> List<Outcome<T>> runAll(String what, Function<TrafficRouter, T> call, Interrupt interrupt) {
        List<Call<T>> calls = new ArrayList<>();
        for (TrafficRouter r : routers) {
            calls.add(start(() -> call.apply(r)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Outcome<T>> out = new ArrayList<>();
        for (Call<T> c : calls) {
            out.add(await(what, c, deadline, interrupt, true));
        }
        return out;
    }

    private <T> Call<T> start(Callable<T> body) {
        Call<T> c = new Call<>(body);
        try {
            executor.execute(c);
        } catch (RejectedExecutionException e) {
            c.rejected(e);
        }
        return c;
    }

    /**
     * Waits for one call until the deadline. On a timeout, or an interrupt when {@code stopOnInterrupt}, the call is
     * cancelled with an interrupt of the thread running it; its state is then unknown unless it had completed.
     */
    private <T> Outcome<T> await(String what, Call<T> c, long deadline, Interrupt interrupt, boolean stopOnInterrupt) {
        Outcome<T> o = new Outcome<>(c);
        String unknown = null;
        while (unknown == null) {
            if (interrupt.seen && stopOnInterrupt && !c.isDone()) {
                unknown = what + " interrupted (state unknown)";
                break;
            }
            try {
                o.value = c.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return o;
            } catch (TimeoutException e) {
                unknown = what + " timed out after " + Texts.millis(timeout) + " (state unknown)";
            } catch (ExecutionException e) {
                o.failed = true;
                o.cause = e.getCause();
                o.error = what + " failed: " + message(e.getCause());
                return o;
            } catch (CancellationException e) {
                o.error = what + " was cancelled (state unknown)";
                return o;
            } catch (InterruptedException e) {
                interrupt.seen = true; // remembered, restored by the caller once the undo is done
            }
        }
        if (c.cancel(true)) {
            o.error = unknown;
            return o;
        }
        // completed between the wait and the cancel: take its real outcome
        return await(what, c, System.nanoTime(), new Interrupt(), false);
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public String toString() {
        return "CompositeRouter" + names;
    }

    /** Whether the caller was interrupted during an operation (the flag is cleared while waiting and restored after). */
    private static final class Interrupt {
        boolean seen;
    }

    /**
     * A member call whose {@link #cancel(boolean) cancel(true)} interrupts the thread running it (unlike
     * {@link java.util.concurrent.CompletableFuture}), and which can tell when the call has really ended (a cancelled
     * call may still be running).
     */
    private static final class Call<T> extends FutureTask<T> {
        private final CountDownLatch ended = new CountDownLatch(1);

        Call(Callable<T> body) {
            super(body);
        }

        @Override
        public void run() {
            try {
                super.run();
            } finally {
                ended.countDown();
            }
        }

        void rejected(RejectedExecutionException e) {
            setException(e);
            ended.countDown();
        }

        boolean hasEnded() {
            return ended.getCount() == 0;
        }

        /** Waits (interruptibly) until the call's body has returned or thrown, or never ran; false at the deadline. */
        boolean awaitEnd(long deadline) throws InterruptedException {
            return ended.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private static final class Outcome<T> {
        final Call<T> call;
        T value;
        String error;
        Throwable cause;
        /** The member's call threw: by the contract its routing is unchanged. */
        boolean failed;

        Outcome(Call<T> call) {
            this.call = call;
        }

        boolean ok() {
            return error == null;
        }
    }

    /** Builds a {@link CompositeRouter}. Not thread-safe. */
    public static final class Builder {
        private final List<String> names = new ArrayList<>();
        private final List<TrafficRouter> routers = new ArrayList<>();
        private Duration timeout = DEFAULT_TIMEOUT;
        private Executor executor = DaemonThreads.shared();
        private boolean membersHashAlike = DEFAULT_MEMBERS_HASH_ALIKE;

        private Builder() {
        }

        /** Adds a member with a name used in messages (1 to 64 of {@code A-Z a-z 0-9 . _ -}). Repeatable; names unique. */
        public Builder router(String name, TrafficRouter router) {
            if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("compositeRouter.router name '" + name
                        + "' is invalid: expected 1 to 64 of A-Z a-z 0-9 . _ -");
            }
            if (router == null) {
                throw new IllegalArgumentException("compositeRouter.router '" + name + "' must not be null");
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException("compositeRouter.router name '" + name + "' is used twice");
            }
            if (routers.stream().anyMatch(r -> r == router)) {
                throw new IllegalArgumentException("compositeRouter.router '" + name + "' is the same instance as another member");
            }
            names.add(name);
            routers.add(router);
            return this;
        }

        /** Bound of each parallel phase (read, apply, undo); positive. Default 60 s. */
        public Builder timeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("compositeRouter.timeout must be positive, was " + value);
            }
            timeout = value;
            return this;
        }

        /**
         * Runs the members' calls (it needs a free thread per member to run them in parallel, and during an undo one
         * more per member whose timed-out call is still running); default a shared, unbounded pool of daemon threads.
         * A cancelled call is interrupted on the thread running it. Not shut down by the router.
         */
        public Builder executor(Executor value) {
            executor = Arguments.notNull("compositeRouter.executor", value);
            return this;
        }

        /**
         * Declares that all members map a stickiness key to the same target for the same table (they use the same hash
         * and the same bucket layout, for example several nginx with the same configuration template, or several
         * HAProxy). Only then does the composite declare {@link RouterCapabilities#stickiness()} (when every member
         * supports it). Routers of different kinds hash differently (in-process FNV-1a, nginx {@code split_clients}
         * MurmurHash2, HAProxy xxh32): behind such a mix one user could reach version 1 through one member and version 2
         * through another, so do not declare it for a mix. Default {@value #DEFAULT_MEMBERS_HASH_ALIKE}; a composite of
         * one member needs no declaration.
         */
        public Builder membersHashAlike(boolean value) {
            membersHashAlike = value;
            return this;
        }

        /** Builds; needs at least one member. */
        public CompositeRouter build() {
            if (routers.isEmpty()) {
                throw new IllegalArgumentException("compositeRouter.routers must not be empty");
            }
            return new CompositeRouter(this);
        }
    }
}
