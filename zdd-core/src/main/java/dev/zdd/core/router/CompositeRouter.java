package dev.zdd.core.router;

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
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Several routers switched as one, all or nothing: for example two nginx in front of one application, or an nginx and
 * an in-process router.
 *
 * <p>{@link #apply(Routing)} first reads every member's {@code current()} (the undo point), then applies the table to
 * all members in parallel, waiting at most {@link Builder#timeout(Duration)}. If any member fails or times out, the
 * members that succeeded get their previous table back (the undo, also in parallel and bounded), and a
 * {@link RouterException} names the member that failed, its error, and whether the undo worked. Members that failed are
 * not touched again: by the {@link TrafficRouter} contract they still serve as before. A member that timed out is
 * reported as "state unknown" (its call may still finish).
 *
 * <p>{@link #current()} reads every member and returns the common table (the first member's), or throws a
 * {@link RouterException} "routers disagree: ..." when they do not send traffic the same way
 * ({@link Routing#sameTrafficAs(Routing)}). {@link #capabilities()} is the intersection of the members' (the smallest
 * {@code maxWeight}; {@code connectionCounts} false, as this class does not sum connection counts).
 *
 * <p>Thread-safe: applies are serialised. Build with {@link #allOrNothing(TrafficRouter...)} or {@link #builder()}.
 */
public final class CompositeRouter implements TrafficRouter {
    /** Default bound of each parallel phase (read, apply, undo): 60 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(CompositeRouter.class);

    private final List<String> names;
    private final List<TrafficRouter> routers;
    private final Duration timeout;
    private final Executor executor;
    private final RouterCapabilities capabilities;
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
        this.capabilities = new RouterCapabilities(max, drain, sticky, rules, false);
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
        Objects.requireNonNull(routing, "routing");
        capabilities.check("composite router " + names, routing);
        synchronized (lock) {
            List<Outcome<Routing>> before = runAll("read current", TrafficRouter::current);
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
                r.apply(routing);
                return null;
            });
            List<Integer> succeeded = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < applied.size(); i++) {
                if (applied.get(i).ok()) {
                    succeeded.add(i);
                } else {
                    failed.add(names.get(i) + " " + applied.get(i).error);
                }
            }
            if (failed.isEmpty()) {
                LOG.info("composite router {}: applied {}", names, routing);
                return;
            }
            String undo = undo(succeeded, before);
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
    }

    private String undo(List<Integer> succeeded, List<Outcome<Routing>> before) {
        if (succeeded.isEmpty()) {
            return "no router had been switched, nothing to undo";
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int i : succeeded) {
            TrafficRouter r = routers.get(i);
            Routing previous = before.get(i).value;
            futures.add(CompletableFuture.runAsync(() -> r.apply(previous), executor));
        }
        List<String> undone = new ArrayList<>();
        List<String> notUndone = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int k = 0; k < succeeded.size(); k++) {
            String n = names.get(succeeded.get(k));
            String error = await(futures.get(k), deadline);
            if (error == null) {
                undone.add(n);
            } else {
                notUndone.add(n + " " + error);
            }
        }
        if (notUndone.isEmpty()) {
            return "undo succeeded: previous routing restored on " + undone;
        }
        return "undo FAILED on " + String.join("; ", notUndone) + (undone.isEmpty() ? "" : " (restored on " + undone + ")")
                + ": the routers now disagree, restore them by hand";
    }

    @Override
    public Routing current() {
        List<Outcome<Routing>> all = runAll("read current", TrafficRouter::current);
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
            agree &= first.sameTrafficAs(all.get(i).value);
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

    private <T> List<Outcome<T>> runAll(String what, Function<TrafficRouter, T> call) {
        List<Future<T>> futures = new ArrayList<>();
        for (TrafficRouter r : routers) {
            futures.add(CompletableFuture.supplyAsync(() -> call.apply(r), executor));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Outcome<T>> out = new ArrayList<>();
        for (Future<T> f : futures) {
            Outcome<T> o = new Outcome<>();
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                o.value = f.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                o.error = what + " timed out after " + Texts.millis(timeout) + " (state unknown)";
            } catch (ExecutionException e) {
                o.cause = e.getCause();
                o.error = what + " failed: " + message(e.getCause());
            } catch (CancellationException e) {
                o.error = what + " was cancelled";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                o.error = what + " interrupted (state unknown)";
            }
            out.add(o);
        }
        return out;
    }

    private String await(Future<?> f, long deadline) {
        try {
            f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (TimeoutException e) {
            f.cancel(true);
            return "timed out after " + Texts.millis(timeout);
        } catch (ExecutionException e) {
            return "failed: " + message(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return "interrupted";
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public String toString() {
        return "CompositeRouter" + names;
    }

    private static final class Outcome<T> {
        T value;
        String error;
        Throwable cause;

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
         * Runs the members' calls (it needs a free thread per member to run them in parallel); default a shared pool of
         * daemon threads. Not shut down by the router.
         */
        public Builder executor(Executor value) {
            if (value == null) {
                throw new IllegalArgumentException("compositeRouter.executor must not be null");
            }
            executor = value;
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
