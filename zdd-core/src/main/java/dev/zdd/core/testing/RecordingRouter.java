package dev.zdd.core.testing;

import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A {@link TrafficRouter} (and {@link ConnectionStats}) that keeps its table in memory, for tests: records every routing
 * it applied, in order, and injects faults on demand.
 *
 * <ul>
 *   <li>{@link #failOnCall(int)}: the n-th call to {@code apply} (counting from 1) throws {@link RouterException} and
 *       changes nothing; {@link #failCurrentOnCall(int)} does the same for {@code current()};
 *       {@link #failApplyWhen(Predicate)} fails every apply of a matching table;</li>
 *   <li>{@link #hangOnCall(int)}: the n-th apply never answers (blocks until interrupted);</li>
 *   <li>{@link #reportDrift(UnaryOperator)}: {@code current()} reports a transformed table (a router that does not do
 *       what it was told);</li>
 *   <li>{@link #setConnections(String, int...)}: what {@code activeConnections()} reports per target, poll after poll.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class RecordingRouter implements TrafficRouter, ConnectionStats {
    /** Every capability, with the full weight scale. The default. */
    public static final RouterCapabilities ALL_CAPABILITIES =
            new RouterCapabilities(Routing.MAX_WEIGHT, true, true, true, true);

    private final RouterCapabilities capabilities;
    private final List<Routing> applied = new ArrayList<>();
    private final Set<Integer> failApply = new HashSet<>();
    private final Set<Integer> failCurrent = new HashSet<>();
    private final Set<Integer> hangApply = new HashSet<>();
    private final Map<String, ArrayDeque<Integer>> connections = new HashMap<>();
    private Predicate<Routing> failWhen;
    private UnaryOperator<Routing> drift;
    private Routing table;
    private int applyCalls;
    private int currentCalls;

    /** A router with an empty table and {@link #ALL_CAPABILITIES}. */
    public RecordingRouter() {
        this(Routing.EMPTY, ALL_CAPABILITIES);
    }

    /** A router serving {@code initial}, with {@link #ALL_CAPABILITIES}. */
    public RecordingRouter(Routing initial) {
        this(initial, ALL_CAPABILITIES);
    }

    /** A router serving {@code initial} with the given capabilities. */
    public RecordingRouter(Routing initial, RouterCapabilities capabilities) {
        if (initial == null || capabilities == null) {
            throw new IllegalArgumentException("initial routing and capabilities must not be null");
        }
        this.table = initial;
        this.capabilities = capabilities;
    }

    /** A router splitting traffic evenly over {@code targets}. */
    public static RecordingRouter serving(Target... targets) {
        return new RecordingRouter(Routing.evenly(List.of(targets)));
    }

    @Override
    public RouterCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public void apply(Routing routing) {
        boolean hang;
        int call;
        synchronized (this) {
            call = ++applyCalls;
            if (failApply.contains(call)) {
                throw new RouterException("apply: injected failure of call " + call);
            }
            if (failWhen != null && failWhen.test(routing)) {
                throw new RouterException("apply: injected failure for " + routing);
            }
            hang = hangApply.contains(call);
        }
        if (hang) {
            try {
                VirtualScheduler.hangUntilInterrupted();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RouterException("apply: call " + call + " interrupted");
            }
        }
        synchronized (this) {
            table = routing;
            applied.add(routing);
        }
    }

    @Override
    public synchronized Routing current() {
        int call = ++currentCalls;
        if (failCurrent.contains(call)) {
            throw new RouterException("current: injected failure of call " + call);
        }
        return drift == null ? table : drift.apply(table);
    }

    @Override
    public synchronized Map<String, Integer> activeConnections() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Route r : table.routes()) {
            ArrayDeque<Integer> q = connections.get(r.target().id());
            int n = 0;
            if (q != null && !q.isEmpty()) {
                n = q.size() > 1 ? q.removeFirst() : q.peekFirst();
            }
            out.put(r.target().id(), n);
        }
        return out;
    }

    /** The n-th call to {@code apply} (from 1) throws and changes nothing. */
    public synchronized RecordingRouter failOnCall(int n) {
        failApply.add(positive(n));
        return this;
    }

    /** The n-th call to {@code current()} (from 1) throws. */
    public synchronized RecordingRouter failCurrentOnCall(int n) {
        failCurrent.add(positive(n));
        return this;
    }

    /** The n-th call to {@code apply} (from 1) never answers: it blocks until interrupted and then throws. */
    public synchronized RecordingRouter hangOnCall(int n) {
        hangApply.add(positive(n));
        return this;
    }

    /** Every apply of a table matching {@code predicate} throws and changes nothing; {@code null} stops it. */
    public synchronized RecordingRouter failApplyWhen(Predicate<Routing> predicate) {
        failWhen = predicate;
        return this;
    }

    /** {@code current()} reports {@code drift} applied to the real table; {@code null} stops it. */
    public synchronized RecordingRouter reportDrift(UnaryOperator<Routing> drift) {
        this.drift = drift;
        return this;
    }

    /**
     * What {@code activeConnections()} reports for {@code targetId}: the counts poll after poll, the last repeating.
     * Targets without counts report 0.
     */
    public synchronized RecordingRouter setConnections(String targetId, int... counts) {
        if (counts.length == 0) {
            throw new IllegalArgumentException("counts for '" + targetId + "' must not be empty");
        }
        ArrayDeque<Integer> q = new ArrayDeque<>();
        for (int c : counts) {
            q.add(c);
        }
        connections.put(targetId, q);
        return this;
    }

    /** Every routing applied successfully, in order. */
    public synchronized List<Routing> applied() {
        return List.copyOf(applied);
    }

    /** The table as it is, without counting a call or drifting. */
    public synchronized Routing table() {
        return table;
    }

    /** Calls to {@code apply} so far, failed ones included. */
    public synchronized int applyCalls() {
        return applyCalls;
    }

    /** Calls to {@code current()} so far, failed ones included. */
    public synchronized int currentCalls() {
        return currentCalls;
    }

    private static int positive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("call number must be at least 1, was " + n);
        }
        return n;
    }
}
