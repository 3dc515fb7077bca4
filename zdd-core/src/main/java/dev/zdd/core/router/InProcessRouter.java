package dev.zdd.core.router;

import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Target;
import dev.zdd.core.internal.io.StableHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

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
 * ({@link #activeConnections()}, so a drain can wait until a target is idle) and completed requests, errors and a
 * window of recent latencies ({@link #stats()}, for metric-gated canaries). A lease is never handed out for a target
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
    /** Default number of recent latencies kept per target for percentiles: {@value}. */
    public static final int DEFAULT_LATENCY_WINDOW = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(InProcessRouter.class);
    private static final int MAX_ACQUIRE_ATTEMPTS = 100;

    private final String name;
    private final int latencyWindow;
    private final ConcurrentHashMap<String, Counters> counters = new ConcurrentHashMap<>();
    private final Object applyLock = new Object();
    private volatile Snapshot snapshot;

    private InProcessRouter(Builder b) {
        this.name = b.name;
        this.latencyWindow = b.latencyWindow;
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
        Objects.requireNonNull(request, "request");
        for (int attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
            Snapshot s = snapshot;
            int i = s.choose(request);
            if (i < 0) {
                throw new RouterException(name + ": no serving target for the request (table " + s.routing + ")");
            }
            Target t = s.targets[i];
            Counters c = s.counters[i];
            c.inFlight.incrementAndGet();
            Snapshot now = snapshot;
            if (now == s || now.serves(t)) {
                return new Lease(t, c, System.nanoTime());
            }
            c.inFlight.decrementAndGet(); // the table changed under us and no longer serves t: choose again
        }
        throw new RouterException(name + ": could not choose a stable target: the table changed "
                + MAX_ACQUIRE_ATTEMPTS + " times during one choice");
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

    /** Statistics of every target the router currently knows, by target id. */
    public Map<String, TargetStats> stats() {
        Map<String, TargetStats> out = new LinkedHashMap<>();
        Snapshot s = snapshot;
        for (int i = 0; i < s.targets.length; i++) {
            out.put(s.targets[i].id(), s.counters[i].stats(s.targets[i].id()));
        }
        counters.forEach((id, c) -> out.computeIfAbsent(id, k -> c.stats(k)));
        return Collections.unmodifiableMap(out);
    }

    /** Statistics of one target, if the router knows it. */
    public Optional<TargetStats> stats(String targetId) {
        Counters c = counters.get(targetId);
        return c == null ? Optional.empty() : Optional.of(c.stats(targetId));
    }

    @Override
    public String toString() {
        return name + " " + snapshot.routing;
    }

    private Counters counters(String id) {
        return counters.computeIfAbsent(id, k -> new Counters(latencyWindow));
    }

    /**
     * One request's claim on a target: counts it in flight until {@link #complete(boolean, Duration)} or
     * {@link #close()} (whichever comes first; later calls do nothing). {@code close()} without {@code complete}
     * counts the request as failed (the call threw), with the time since {@link #acquire(RequestInfo)} as latency.
     * Thread-safe.
     */
    public static final class Lease implements AutoCloseable {
        private final Target target;
        private final Counters counters;
        private final long startNanos;
        private final AtomicBoolean done = new AtomicBoolean();

        private Lease(Target target, Counters counters, long startNanos) {
            this.target = target;
            this.counters = counters;
            this.startNanos = startNanos;
        }

        /** The target that serves this request. */
        public Target target() {
            return target;
        }

        /** Records the request as finished (ok or error) with its latency, and releases the target. */
        public void complete(boolean ok, Duration latency) {
            Objects.requireNonNull(latency, "latency");
            if (done.compareAndSet(false, true)) {
                counters.record(ok, Math.max(0, latency.toNanos()));
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

    /**
     * A snapshot of one target's counters: completed requests, errors, requests in flight, and percentiles of the most
     * recent latencies (a window of {@link Builder#latencyWindow(int)} samples). Immutable; thread-safe.
     */
    public static final class TargetStats {
        private final String targetId;
        private final long requests;
        private final long errors;
        private final int inFlight;
        private final long[] sortedNanos;

        TargetStats(String targetId, long requests, long errors, int inFlight, long[] sortedNanos) {
            this.targetId = targetId;
            this.requests = requests;
            this.errors = errors;
            this.inFlight = inFlight;
            this.sortedNanos = sortedNanos;
        }

        /** The target's id. */
        public String targetId() {
            return targetId;
        }

        /** Completed requests (ok and failed) since the router first saw the target. */
        public long requests() {
            return requests;
        }

        /** Failed requests among {@link #requests()}. */
        public long errors() {
            return errors;
        }

        /** {@link #errors()} / {@link #requests()}, 0 when there were none. */
        public double errorRate() {
            return requests == 0 ? 0.0 : (double) errors / requests;
        }

        /** Requests in flight when the snapshot was taken. */
        public int inFlight() {
            return inFlight;
        }

        /** Number of latency samples in the window. */
        public int latencySamples() {
            return sortedNanos.length;
        }

        /**
         * The {@code q} quantile (0 to 1, nearest rank) of the recent latencies; {@link Duration#ZERO} without samples.
         */
        public Duration latencyPercentile(double q) {
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("q must be in [0, 1], was " + q);
            }
            if (sortedNanos.length == 0) {
                return Duration.ZERO;
            }
            int rank = (int) Math.ceil(q * sortedNanos.length);
            return Duration.ofNanos(sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))]);
        }

        /** Median of the recent latencies. */
        public Duration p50() {
            return latencyPercentile(0.50);
        }

        /** 99th percentile of the recent latencies. */
        public Duration p99() {
            return latencyPercentile(0.99);
        }

        @Override
        public String toString() {
            return "TargetStats[" + targetId + ": requests=" + requests + ", errors=" + errors + ", inFlight=" + inFlight
                    + ", p50=" + p50().toMillis() + "ms, p99=" + p99().toMillis() + "ms, samples=" + sortedNanos.length + "]";
        }
    }

    /** Builds an {@link InProcessRouter}. Not thread-safe. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private int latencyWindow = DEFAULT_LATENCY_WINDOW;

        private Builder() {
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

        /** Recent latencies kept per target, 1 to 1,000,000. Default {@value #DEFAULT_LATENCY_WINDOW}. */
        public Builder latencyWindow(int value) {
            if (value < 1 || value > 1_000_000) {
                throw new IllegalArgumentException("inProcessRouter.latencyWindow must be in [1, 1000000], was " + value);
            }
            latencyWindow = value;
            return this;
        }

        /** Builds the router with an empty table. */
        public InProcessRouter build() {
            return new InProcessRouter(this);
        }
    }

    /** Counters of one target. Thread-safe; lock-free. */
    static final class Counters {
        final AtomicInteger inFlight = new AtomicInteger();
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final AtomicLongArray latencies;
        final AtomicLong latencyCount = new AtomicLong();

        Counters(int window) {
            latencies = new AtomicLongArray(window);
        }

        void record(boolean ok, long nanos) {
            requests.increment();
            if (!ok) {
                errors.increment();
            }
            long n = latencyCount.getAndIncrement();
            latencies.set((int) (n % latencies.length()), nanos);
            inFlight.decrementAndGet();
        }

        TargetStats stats(String id) {
            int n = (int) Math.min(latencyCount.get(), latencies.length());
            long[] copy = new long[n];
            for (int i = 0; i < n; i++) {
                copy[i] = latencies.get(i);
            }
            Arrays.sort(copy);
            return new TargetStats(id, requests.sum(), errors.sum(), inFlight.get(), copy);
        }
    }

    /** The immutable choice structure of one applied table. */
    private static final class Snapshot {
        final Routing routing;
        final Target[] targets;     // every route's target, in route order
        final Counters[] counters;  // aligned with targets
        final boolean[] serving;    // aligned with targets
        final Group all;            // all serving routes
        final Group[] versions;     // serving versions in order of first appearance
        final Map<String, Group> byVersion;
        final List<CompiledRule> rules;
        final dev.zdd.api.RequestKey stickyKey;

        Snapshot(Routing routing, InProcessRouter owner) {
            this.routing = routing;
            int n = routing.routes().size();
            targets = new Target[n];
            counters = new Counters[n];
            serving = new boolean[n];
            Map<String, List<Integer>> members = new LinkedHashMap<>();
            Map<String, List<Integer>> activeMembers = new HashMap<>();
            List<Integer> allMembers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Route r = routing.routes().get(i);
                targets[i] = r.target();
                counters[i] = owner.counters(r.target().id());
                serving[i] = r.serving();
                if (r.state() == dev.zdd.api.RouteState.ACTIVE) {
                    activeMembers.computeIfAbsent(r.target().version(), v -> new ArrayList<>()).add(i);
                }
                if (r.serving()) {
                    members.computeIfAbsent(r.target().version(), v -> new ArrayList<>()).add(i);
                    allMembers.add(i);
                }
            }
            all = new Group(null, allMembers, routing, false);
            versions = new Group[members.size()];
            byVersion = new HashMap<>();
            int k = 0;
            for (Map.Entry<String, List<Integer>> e : members.entrySet()) {
                Group g = new Group(e.getKey(), e.getValue(), routing, false);
                versions[k++] = g;
                byVersion.put(e.getKey(), g);
            }
            List<CompiledRule> rs = new ArrayList<>();
            for (Rule rule : routing.rules()) {
                // A rule reaches its version's ACTIVE targets even when they have no weighted share (weight 0), e.g.
                // a blue-green preview; then they are chosen evenly.
                Group g = byVersion.get(rule.version());
                if (g == null && activeMembers.containsKey(rule.version())) {
                    g = new Group(rule.version(), activeMembers.get(rule.version()), routing, true);
                }
                rs.add(new CompiledRule(rule, g));
            }
            rules = List.copyOf(rs);
            stickyKey = routing.stickiness() == null ? null : routing.stickiness().key();
        }

        boolean serves(Target t) {
            for (int i = 0; i < targets.length; i++) {
                if (serving[i] && targets[i].equals(t)) {
                    return true;
                }
            }
            return false;
        }

        /** Index into {@link #targets}, or -1. */
        int choose(RequestInfo request) {
            String stickyValue = stickyKey == null ? null : request.value(stickyKey).orElse(null);
            for (CompiledRule rule : rules) {
                if (rule.group == null) {
                    continue;
                }
                String v = request.value(rule.rule.key()).orElse(null);
                if (v != null && rule.rule.values().contains(v)) {
                    return stickyValue == null ? rule.group.random()
                            : rule.group.at(StableHash.unit(StableHash.second(StableHash.hash64(stickyValue))));
                }
            }
            if (all.total == 0) {
                return -1;
            }
            if (stickyValue == null) {
                return all.random();
            }
            long h = StableHash.hash64(stickyValue);
            long point = Math.min(all.total - 1, (long) (StableHash.unit(h) * all.total));
            long upper = 0;
            for (Group g : versions) {
                upper += g.total;
                if (point < upper) {
                    return g.at(StableHash.unit(StableHash.second(h)));
                }
            }
            return versions[versions.length - 1].at(StableHash.unit(StableHash.second(h)));
        }
    }

    /** Serving routes of one version (or of all versions) with cumulative weights. */
    private static final class Group {
        final String version;
        final int[] index;
        final long[] cumulative;
        final long total;

        Group(String version, List<Integer> members, Routing routing, boolean evenly) {
            this.version = version;
            index = new int[members.size()];
            cumulative = new long[members.size()];
            long sum = 0;
            for (int i = 0; i < index.length; i++) {
                index[i] = members.get(i);
                sum += evenly ? 1 : routing.routes().get(index[i]).weight();
                cumulative[i] = sum;
            }
            total = sum;
        }

        int random() {
            return pick(ThreadLocalRandom.current().nextLong(total));
        }

        int at(double unit) {
            return pick(Math.min(total - 1, (long) (unit * total)));
        }

        private int pick(long point) {
            int lo = 0;
            int hi = cumulative.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (point < cumulative[mid]) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return index[lo];
        }

        @Override
        public String toString() {
            return "Group[" + version + ", total=" + total + "]";
        }
    }

    private static final class CompiledRule {
        final Rule rule;
        final Group group;

        CompiledRule(Rule rule, Group group) {
            this.rule = rule;
            this.group = group;
        }
    }
}
