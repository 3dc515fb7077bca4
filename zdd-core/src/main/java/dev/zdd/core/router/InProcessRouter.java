package dev.zdd.core.router;

import dev.zdd.api.Arguments;
import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Target;
import dev.zdd.core.analysis.RequestRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A router inside a Java service (client-side load balancing): application code asks it which target should serve each
 * outgoing request, so that the service switches the backends it calls with zero failed requests.
 *
 * <pre>{@code
 * InProcessRouter router = InProcessRouter.create();
 * // engine.router(router) ... the engine applies routing tables while it deploys
 * try (InProcessRouter.Lease lease = router.acquire(RequestInfo.ofAttribute("user", userId))) {
 *     Response r = httpCall(lease.target().endpoint());
 *     lease.complete(r.isSuccessful());
 * }
 * }</pre>
 *
 * <p>Choice: {@link Rule}s first (the key's value is in the rule's set: a target of the rule's version, by weight among
 * its serving targets, or evenly among its ACTIVE weight-0 targets when it has no weighted share, as in a blue-green
 * preview; when the version has no ACTIVE target, fall through). Then, with {@link dev.zdd.api.Stickiness} and the key present: a stable
 * 64-bit hash of the key's value (FNV-1a with a murmur3 finaliser) picks a point in {@code [0, 1)}; versions take
 * consecutive ranges in the order they first appear in the table's routes, each as wide as its share of the serving
 * weight, so growing the first-listed version's share never moves a user back; a second hash picks the target inside
 * the version by weight. Otherwise: weighted random over the serving routes. DRAINING and DISABLED targets get no new
 * requests; requests already leased finish normally.
 *
 * <p>{@link #apply(Routing)} swaps an immutable snapshot atomically (a volatile write, no locks on the request path);
 * {@link #current()} returns exactly the table last applied. Leases count in-flight requests per target
 * ({@link #activeConnections()}, so a drain can wait until a target is idle) and record each completed request (latency,
 * error) in the router's {@link RequestRecorder} ({@link #requests()}: per-target totals, and the metric source of
 * metric-gated canaries and A/B tests). A lease is never handed out for a target
 * that a concurrent {@code apply} has just stopped serving: the choice is re-checked after the in-flight count was
 * raised, so once {@code apply} returns, {@code activeConnections()} covers every request that may still reach a
 * target. {@link #choose(RequestInfo)} chooses without counting.
 *
 * <p>Thread-safe. Build with {@link #builder()} or {@link #create()}.
 */
public final class InProcessRouter implements dev.zdd.api.TrafficRouter, ConnectionStats {
    /** What this router can do: weights up to {@link Routing#MAX_WEIGHT}, drain, stickiness, rules, connection counts. */
    public static final RouterCapabilities CAPABILITIES = new RouterCapabilities(Routing.MAX_WEIGHT, true, true, true, true);
    /** Default name used in messages: {@value}. */
    public static final String DEFAULT_NAME = "in-process router";
    /** Default attempts of a call marked idempotent: 3. */
    public static final int DEFAULT_RETRY_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(InProcessRouter.class);
    private static final int MAX_ACQUIRE_ATTEMPTS = 100;

    private final String name;
    private final RequestRecorder requests = new RequestRecorder();
    private final ConcurrentHashMap<String, RouterCounters> counters = new ConcurrentHashMap<>();
    private final Object applyLock = new Object();
    private volatile Snapshot snapshot;
    private final Ejections ejections;
    private final int retryAttempts;

    private InProcessRouter(Builder b) {
        this.name = b.name;
        this.ejections = b.outliers == null ? null : new Ejections(b.outliers);
        this.retryAttempts = b.retryAttempts;
        this.snapshot = new Snapshot(Routing.EMPTY, this);
    }

    /** A router with every default and an empty table (it chooses nothing until a table is applied). */
    public static InProcessRouter create() {
        return builder().build();
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void apply(Routing routing) {
        Objects.requireNonNull(routing, "routing");
        CAPABILITIES.check(name, routing);
        synchronized (applyLock) {
            Snapshot next = new Snapshot(routing, this);
            snapshot = next;
            Set<String> ids = new java.util.HashSet<>();
            for (Route r : routing.routes()) {
                ids.add(r.target().id());
            }
            counters.entrySet().removeIf(e -> !ids.contains(e.getKey()) && e.getValue().inFlight.get() == 0);
        }
        LOG.debug("{}: applied {}", name, routing);
    }

    /** Exactly the table last applied ({@link Routing#EMPTY} before the first). */
    @Override
    public Routing current() {
        return snapshot.routing;
    }

    @Override
    public RouterCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Chooses the target for a request without counting it (see {@link #acquire(RequestInfo)} to count).
     *
     * @return the target, or empty when no target serves this request
     */
    public Optional<Target> choose(RequestInfo request) {
        Objects.requireNonNull(request, "request");
        int i = snapshot.choose(request);
        return i < 0 ? Optional.empty() : Optional.of(snapshot.targets[i]);
    }

    /**
     * Chooses the target for a request and counts it as in flight until the lease is completed or closed.
     *
     * @throws RouterException when no target serves this request (no table applied, or nothing serving)
     */
    public Lease acquire(RequestInfo request) {
        return acquire(request, Set.of());
    }

    private Lease acquire(RequestInfo request, Set<String> avoid) {
        Objects.requireNonNull(request, "request");
        for (int attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
            Snapshot s = snapshot;
            int i = s.choose(request);
            if (i < 0) {
                throw new RouterException(name + ": no serving target for the request (table " + s.routing + ")");
            }
            if (ejections != null || !avoid.isEmpty()) {
                i = s.alternative(i, id -> avoid.contains(id) || (ejections != null && ejections.ejected(id)));
            }
            Target t = s.targets[i];
            RouterCounters c = s.counters[i];
            c.inFlight.incrementAndGet();
            Snapshot now = snapshot;
            if (now == s || now.serves(t)) {
                return new Lease(t, c, System.nanoTime(), this);
            }
            c.inFlight.decrementAndGet(); // the table changed under us and no longer serves t: choose again
        }
        throw new RouterException(name + ": could not choose a stable target: the table changed "
                + MAX_ACQUIRE_ATTEMPTS + " times during one choice");
    }

    /** A call to one chosen target; an exception counts as a failed call. */
    @FunctionalInterface
    public interface TargetCall<T> {
        /** Calls {@code target}. */
        T call(Target target) throws Exception;
    }

    /**
     * Chooses a target, calls it and records the outcome (an exception is a failure, which also counts for outlier
     * detection). When the caller marks the call {@code idempotent}, a failed call is retried on another serving
     * target (one not tried yet for this call), up to {@link Builder#retryAttempts(int)} attempts in all; otherwise it
     * is tried once.
     *
     * @return what the call returned
     * @throws Exception the last attempt's exception
     */
    public <T> T call(RequestInfo request, boolean idempotent, TargetCall<T> call) throws Exception {
        Objects.requireNonNull(call, "call");
        Set<String> tried = new java.util.HashSet<>();
        int attempts = idempotent ? retryAttempts : 1;
        Exception last = null;
        for (int a = 0; a < attempts; a++) {
            Lease lease = acquire(request, tried);
            if (!tried.add(lease.target().id())) {
                lease.release();
                break; // no other target to try
            }
            try {
                T result = call.call(lease.target());
                lease.complete(true);
                return result;
            } catch (Exception e) {
                lease.complete(false);
                last = e;
            }
        }
        throw last;
    }

    /** Ids of the targets outlier detection has ejected now (empty without {@link Builder#outlierDetection}). */
    public Set<String> ejected() {
        return ejections == null ? Set.of() : Collections.unmodifiableSet(ejections.ejectedNow());
    }

    private void recorded(Target t, boolean ok) {
        if (ejections != null) {
            Duration d = ejections.record(t.id(), ok, snapshot.routing);
            if (d != null) {
                LOG.warn("{}: ejected {} for {} ms after failed calls in a row (outlier detection)", name, t.id(),
                        d.toMillis());
            }
        }
    }

    /** In-flight leases per target id: every target of the current table, and any other with leases still open. */
    @Override
    public Map<String, Integer> activeConnections() {
        Snapshot s = snapshot;
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < s.targets.length; i++) {
            out.put(s.targets[i].id(), s.counters[i].inFlight.get());
        }
        counters.forEach((id, c) -> {
            int n = c.inFlight.get();
            if (n > 0) {
                out.putIfAbsent(id, n);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /**
     * The completed requests of every target, as its leases recorded them: {@link RequestRecorder#totals(String)}
     * (requests, errors, latency histogram) per target id, and a {@link dev.zdd.core.analysis.MetricSource} of the
     * standard metrics over time windows. The one counting; kept for the router's life (totals are cumulative).
     */
    public RequestRecorder requests() {
        return requests;
    }

    @Override
    public String toString() {
        return name + " " + snapshot.routing;
    }

    RouterCounters countersOf(String id) {
        return counters.computeIfAbsent(id, k -> new RouterCounters());
    }

    /**
     * One request's claim on a target: counts it in flight until {@link #complete(boolean, Duration)} or
     * {@link #close()} (whichever comes first; later calls do nothing). {@code close()} without {@code complete}
     * counts the request as failed (the call threw), with the time since {@link #acquire(RequestInfo)} as latency.
     * Thread-safe.
     */
    public static final class Lease implements AutoCloseable {
        private final Target target;
        private final RouterCounters counters;
        private final long startNanos;
        private final AtomicBoolean done = new AtomicBoolean();
        private final InProcessRouter owner;

        private Lease(Target target, RouterCounters counters, long startNanos, InProcessRouter owner) {
            this.target = target;
            this.counters = counters;
            this.startNanos = startNanos;
            this.owner = owner;
        }

        /** Releases without recording a call (nothing was sent). */
        void release() {
            if (done.compareAndSet(false, true)) {
                counters.inFlight.decrementAndGet();
            }
        }

        /** The target that serves this request. */
        public Target target() {
            return target;
        }

        /** Records the request as finished (ok or error) with its latency, and releases the target. */
        public void complete(boolean ok, Duration latency) {
            Objects.requireNonNull(latency, "latency");
            if (done.compareAndSet(false, true)) {
                owner.requests.record(target.id(), Math.max(0, latency.toNanos()), !ok);
                counters.inFlight.decrementAndGet();
                owner.recorded(target, ok);
            }
        }

        /** Records the request as finished with the time since it was acquired as latency, and releases the target. */
        public void complete(boolean ok) {
            complete(ok, Duration.ofNanos(System.nanoTime() - startNanos));
        }

        /** Releases the target; if not completed, counts the request as failed. */
        @Override
        public void close() {
            complete(false);
        }

        @Override
        public String toString() {
            return "Lease[" + target.id() + (done.get() ? ", done" : "") + "]";
        }
    }

    /** Builds an {@link InProcessRouter}. Not thread-safe. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private OutlierDetection outliers;
        private int retryAttempts = DEFAULT_RETRY_ATTEMPTS;

        private Builder() {
        }

        /** Passive outlier detection from the calls' outcomes (see {@link OutlierDetection}). Default none. */
        public Builder outlierDetection(OutlierDetection v) {
            outliers = Arguments.notNull("inProcessRouter.outlierDetection", v);
            return this;
        }

        /**
         * Attempts in all of a call marked idempotent in {@link InProcessRouter#call}, each on a target not tried yet,
         * 1 to 10. Default {@value #DEFAULT_RETRY_ATTEMPTS}.
         */
        public Builder retryAttempts(int v) {
            retryAttempts = Arguments.range("inProcessRouter.retryAttempts", v, 1, 10);
            return this;
        }

        /** Name used in messages and logs, 1 to 100 characters without control characters. Default {@value #DEFAULT_NAME}. */
        public Builder name(String value) {
            if (value == null || value.isEmpty() || value.length() > 100 || dev.zdd.core.internal.io.Texts.hasControl(value)) {
                throw new IllegalArgumentException("inProcessRouter.name '" + value
                        + "' is invalid: expected 1 to 100 characters without control characters");
            }
            name = value;
            return this;
        }

        /** Builds the router with an empty table. */
        public InProcessRouter build() {
            return new InProcessRouter(this);
        }
    }
}
