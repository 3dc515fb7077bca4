package dev.zdd.haproxy.internal;

import dev.zdd.api.BalancerHealth;
import dev.zdd.api.Endpoint;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.haproxy.ServerState;
import dev.zdd.haproxy.internal.CommandPlan.Setting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns what HAProxy reports ({@code show servers state} and the routing maps) into a {@link Routing}: the
 * operator's intent (ready/drain/maint and weight) as route state and weight, and HAProxy's own health check as
 * {@link BalancerHealth}. A server that is ready but down by its check is an ACTIVE route with its weight and health
 * {@link BalancerHealth#DOWN}: "down by health check" is HAProxy's business and never reads as maintenance.
 *
 * <p>Immutable; thread-safe (the mutable sets it is given are read, never changed).
 */
public final class TableReader {
    /** Version reported for a server nobody knows. */
    public static final String UNKNOWN_VERSION = "unknown";
    /** Attribute naming the HAProxy server of a target reported for an unknown server. */
    public static final String SERVER_ATTRIBUTE = "haproxy.server";

    private static final Logger LOG = LoggerFactory.getLogger(TableReader.class);

    /**
     * What the router knows when it reads: the table applied last (or being confirmed; may be null), the recorded
     * identities, dynamic servers awaiting deletion, the configured and the added servers.
     */
    public record Known(Desired applied, Map<String, StateFile.Entry> recorded, Set<String> pending,
                        Map<String, Target> staticServers, Map<String, Target> added) {
    }

    private final String backend;
    private final Optional<RequestKey> stickyKey;
    private final Optional<RequestKey> ruleKey;

    /** A reader of backend {@code backend} whose maps (if any) use these keys. */
    public TableReader(String backend, Optional<RequestKey> stickyKey, Optional<RequestKey> ruleKey) {
        this.backend = backend;
        this.stickyKey = stickyKey;
        this.ruleKey = ruleKey;
    }

    /** The routing HAProxy serves, described with the targets zdd knows, with HAProxy's health view. */
    public Routing read(List<ServerState> states, Map<String, String> sticky, Map<String, String> rules, Known k) {
        Routing intent = k.applied() != null && matches(k.applied(), states, sticky, rules)
                ? k.applied().routing() : reconstruct(states, sticky, rules, k);
        return withHealth(intent, states, k);
    }

    /** {@code true} when HAProxy's servers and maps are set exactly as {@code d} asks (health left aside). */
    public static boolean matches(Desired d, List<ServerState> states, Map<String, String> sticky, Map<String, String> rules) {
        if (!d.sticky().equals(sticky) || !d.rules().equals(rules)) {
            return false;
        }
        Map<String, Setting> want = new HashMap<>();
        for (Setting s : d.settings()) {
            want.put(s.server(), s);
        }
        Set<String> seen = new HashSet<>();
        for (ServerState s : states) {
            Setting w = want.get(s.serverName());
            if (w == null) {
                if (!s.inMaintenance()) {
                    return false;
                }
                continue;
            }
            seen.add(s.serverName());
            boolean ok = switch (w.kind()) {
                // ready with the weight: a server down by its health check still counts (HAProxy takes it back)
                case SERVE -> s.ready() && s.userWeight() == w.weight();
                case IDLE -> s.ready() && s.userWeight() == 0;
                case DRAIN -> s.draining() && s.userWeight() == 0;
                case MAINT -> s.inMaintenance() && s.userWeight() == 0;
            };
            if (!ok) {
                return false;
            }
        }
        for (Setting w : d.settings()) {
            if (w.kind() != CommandPlan.Kind.MAINT && !seen.contains(w.server())) {
                return false;
            }
        }
        return true;
    }

    /** HAProxy's view of the health of one server. */
    public static BalancerHealth health(ServerState s) {
        if (!s.checked()) {
            return BalancerHealth.UNCHECKED;
        }
        return s.operState() == ServerState.OP_RUNNING || s.operState() == ServerState.OP_STARTING
                ? BalancerHealth.UP : BalancerHealth.DOWN;
    }

    private Routing withHealth(Routing intent, List<ServerState> states, Known k) {
        Map<String, BalancerHealth> byTarget = new HashMap<>();
        for (ServerState s : states) {
            Target t = k.applied() != null ? k.applied().targets().get(s.serverName()) : null;
            if (t == null) {
                StateFile.Entry e = k.recorded().get(s.serverName());
                t = e != null ? e.target() : k.staticServers().getOrDefault(s.serverName(), k.added().get(s.serverName()));
            }
            byTarget.put(t != null ? t.id() : s.serverName().replace(':', '_'), health(s));
        }
        boolean any = false;
        List<Route> routes = new ArrayList<>(intent.routes().size());
        for (Route r : intent.routes()) {
            BalancerHealth h = byTarget.getOrDefault(r.target().id(), BalancerHealth.UNCHECKED);
            any |= h != BalancerHealth.UNCHECKED;
            routes.add(r.withHealth(h));
        }
        return any ? new Routing(routes, intent.stickiness(), intent.rules()) : intent;
    }

    private Routing reconstruct(List<ServerState> states, Map<String, String> sticky, Map<String, String> rules, Known k) {
        Desired a = k.applied();
        Map<String, Integer> stickyWidth = new HashMap<>();
        Map<String, Integer> stickyStart = new HashMap<>();
        for (Map.Entry<String, String> e : sticky.entrySet()) {
            int[] range = Weights.parseRange(e.getKey());
            if (range != null) {
                stickyWidth.merge(e.getValue(), range[1] - range[0] + 1, Integer::sum);
                stickyStart.merge(e.getValue(), range[0], Math::min);
            }
        }
        List<String> names = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        List<RouteState> routeStates = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (ServerState s : states) {
            String name = s.serverName();
            if (k.pending().contains(name) && s.inMaintenance()) {
                // removed from the table, not deleted yet (connections remain): hidden while it serves nothing;
                // one made ready again by someone else is reported, so that drift shows
                continue;
            }
            // the operator's intent only: a server down by its health check is still ready (its health says down)
            RouteState st;
            if (s.inMaintenance()) {
                st = RouteState.DISABLED;
            } else if (s.draining()) {
                st = RouteState.DRAINING;
            } else {
                st = RouteState.ACTIVE;
            }
            boolean listed = a != null ? a.targets().containsKey(name) : k.recorded().containsKey(name);
            if (s.inMaintenance() && !listed) {
                continue;
            }
            Target t = targetOf(name, s, k);
            if (t == null) {
                continue;
            }
            names.add(name);
            targets.add(t);
            routeStates.add(st);
            weights.add(st == RouteState.ACTIVE ? s.userWeight() : 0);
        }
        int n = names.size();
        int[] w = new int[n];
        boolean stickyExact = !stickyWidth.isEmpty();
        for (int i = 0; i < n; i++) {
            w[i] = weights.get(i);
            if (w[i] > 0 && !stickyWidth.containsKey(names.get(i))) {
                stickyExact = false;
            }
        }
        if (stickyExact) {
            for (int i = 0; i < n; i++) {
                w[i] = w[i] > 0 ? stickyWidth.get(names.get(i)) : 0;
            }
        }
        int[] bp = Weights.toBasisPoints(w, Routing.MAX_WEIGHT);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        List<String> appliedOrder = new ArrayList<>(a == null ? k.recorded().keySet() : a.targets().keySet());
        order.sort(Comparator.comparingInt((Integer i) -> {
            int x = appliedOrder.indexOf(names.get(i));
            return x >= 0 ? x : Integer.MAX_VALUE;
        }).thenComparingInt(i -> stickyStart.getOrDefault(names.get(i), Integer.MAX_VALUE)));
        List<Route> routes = new ArrayList<>();
        Map<String, String> versionOf = new HashMap<>();
        for (int i : order) {
            routes.add(new Route(targets.get(i), routeStates.get(i) == RouteState.ACTIVE ? bp[i] : 0, routeStates.get(i)));
            versionOf.put(names.get(i), targets.get(i).version());
        }
        Stickiness stickiness = null;
        if (!sticky.isEmpty() && stickyKey.isPresent()) {
            stickiness = Stickiness.on(stickyKey.get());
        }
        List<Rule> ruleList = new ArrayList<>();
        if (!rules.isEmpty() && ruleKey.isPresent()) {
            RequestKey key = ruleKey.get();
            Map<String, Set<String>> byVersion = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : rules.entrySet()) {
                String version = versionOf.get(e.getValue());
                if (version != null) {
                    byVersion.computeIfAbsent(version, x -> new TreeSet<>()).add(e.getKey());
                }
            }
            byVersion.forEach((version, values) -> ruleList.add(Rule.match(key, values, version)));
        }
        return new Routing(routes, stickiness, ruleList);
    }

    private Target targetOf(String name, ServerState s, Known k) {
        if (k.applied() != null && k.applied().targets().containsKey(name)) {
            return k.applied().targets().get(name);
        }
        StateFile.Entry e = k.recorded().get(name);
        if (e != null && sameEndpoint(e.target(), s)) {
            return e.target();
        }
        Target t = k.staticServers().get(name);
        if (t == null) {
            t = k.added().get(name);
        }
        return t != null ? t : unknown(name, s);
    }

    /** {@code true} when {@code t} is at the address and port HAProxy reports for {@code s}. */
    public static boolean sameEndpoint(Target t, ServerState s) {
        return t.endpoint().host().equals(s.address()) && t.endpoint().port() == s.port();
    }

    /** The target reported for a server nobody knows, or null when it cannot be described as one. */
    public Target unknown(String name, ServerState s) {
        try {
            return new Target(name.replace(':', '_'), UNKNOWN_VERSION, new Endpoint(s.address(), Math.max(1, s.port())),
                    Map.of(SERVER_ATTRIBUTE, name));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring HAProxy server {}/{} that cannot be described as a target: {}", backend, name, e.getMessage());
            return null;
        }
    }
}
