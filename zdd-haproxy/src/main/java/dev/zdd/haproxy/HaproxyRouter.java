package dev.zdd.haproxy;

import dev.zdd.api.Arguments;
import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Endpoint;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.haproxy.internal.CommandPlan;
import dev.zdd.haproxy.internal.CommandPlan.Kind;
import dev.zdd.haproxy.internal.CommandPlan.Setting;
import dev.zdd.haproxy.internal.Names;
import dev.zdd.haproxy.internal.StateFile;
import dev.zdd.haproxy.internal.Weights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link TrafficRouter} over one HAProxy backend, through the runtime API: no reload, no dropped connection.
 *
 * <p>{@link #apply(Routing)} sets, for every server of the backend, both its state ({@code ready}, {@code drain},
 * {@code maint}) and its weight, so the two never disagree (HAProxy keeps them independent: a weight on a drained
 * server, or draining the only weighted one, sends 503s). Incoming servers are raised first (weight, then ready) on one
 * connection; only when HAProxy accepted all of that are outgoing servers lowered (drain or maint, then weight 0), so
 * traffic never finds zero serving servers mid-way. Weights 0..10000 are scaled so that the largest serving weight
 * becomes 256; a weight above 0 never becomes 0. Finally the router reads {@code show servers state} back until HAProxy
 * serves the table, within {@link Builder#confirmTimeout(Duration)}.
 *
 * <p>Servers come from the configuration ({@link Builder#server(String, Target)}), or, with
 * {@link Builder#dynamicServers(boolean)}, are added at runtime ({@code add server}, named by the target id) and
 * deleted when a table no longer lists them ({@code del server} after {@code maint}; HAProxy refuses it while
 * connections remain, so the router retries within {@link Builder#deleteTimeout(Duration)} and keeps what is left in
 * maintenance, see {@link #pendingRemovals()} and {@link #removePending(Duration)}). Servers of the configuration that a
 * table does not list are put in maintenance. {@link #current()} reports servers in maintenance only when the last
 * table applied by this instance listed them; a server awaiting deletion that is not in maintenance (someone made it
 * ready again) is reported, so that drift shows.
 *
 * <p>Identity across processes (every deploy is a new process): the router keeps a state file
 * ({@link Builder#stateFile(Path)}, default {@code <java.io.tmpdir>/zdd-haproxy/<address>-<backend>.state}) recording,
 * for every server of the last table, the target it was applied with (id, version, endpoint, attributes such as the
 * colour or a launcher's pid) and whether zdd added it at runtime. It is written atomically (temporary file, fsync,
 * rename) with a SHA-256 checksum BEFORE any command of an apply (the identities of the table's servers merged with
 * those already recorded) and again after the table is confirmed (exactly the table's servers). A router built later,
 * in any process, from the same configuration reports those targets from {@link #current()} (a record whose address
 * or port differs from what HAProxy reports is stale and ignored) and, with dynamic servers, treats the recorded dynamic
 * servers as its own: a table that omits them puts them in maintenance and deletes them. With dynamic servers, a server
 * of the backend that is neither mapped nor recorded (the state file is missing, unreadable, has a bad checksum, or the
 * process died between {@code add server} and the write) is reported with version {@value #UNKNOWN_VERSION} and the
 * attribute {@value #SERVER_ATTRIBUTE}; a table that omits it puts it in maintenance (no traffic on a target the table
 * does not list) and deletes it when HAProxy allows ({@code del server} is refused for servers of the configuration
 * file, which then stay in maintenance). Without dynamic servers only mapped servers are touched. A state file that
 * cannot be written before an apply fails the apply before HAProxy is changed. After a restart of HAProxy, HAProxy
 * serves its configuration again (dynamic servers and map changes are gone); apply the table again.
 *
 * <p>Stickiness and rules work through {@link RoutingMaps} (map files changed at runtime). A rule reaches its version's
 * serving servers, or, when all of the version's ACTIVE servers have weight 0, those (a blue-green preview); a rule
 * whose version has no ACTIVE server is left out (its requests are routed by weights). Each rule value is pinned to ONE
 * server of its version, picked by {@code String.hashCode()} of the value modulo the number of candidate servers (in
 * table order): different values spread over the version's servers, but not by weight, and all requests carrying one
 * value reach one server. Connection counts come from
 * {@code show stat} ({@code scur}).
 *
 * <p>Thread-safe: {@code apply} and {@code removePending} calls are serialised on one lock; reads may run concurrently.
 */
public final class HaproxyRouter implements TrafficRouter, ConnectionStats {
    /** Default bound on reading back the applied table: 10 s. */
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    /** Default time {@code apply} spends retrying {@code del server} of removed dynamic servers: 5 s. */
    public static final Duration DEFAULT_DELETE_TIMEOUT = Duration.ofSeconds(5);
    /** Default interval between polls (read-back, drain, delete retries): 50 ms. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(50);
    /** Version reported for a server this instance knows nothing about. */
    public static final String UNKNOWN_VERSION = "unknown";
    /** Attribute naming the HAProxy server of a target reported for an unknown server. */
    public static final String SERVER_ATTRIBUTE = "haproxy.server";

    private static final Logger LOG = LoggerFactory.getLogger(HaproxyRouter.class);
    private static final int MAP_BATCH = 200;

    private final RuntimeApiClient client;
    private final String backend;
    private final Map<String, Target> staticServers;
    private final Map<String, String> staticByTargetId;
    private final boolean dynamic;
    private final RoutingMaps maps;
    private final Duration confirmTimeout;
    private final Duration deleteTimeout;
    private final Duration pollInterval;
    private final RouterCapabilities capabilities;

    private final Object applyLock = new Object();
    private final Map<String, Target> added = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** Servers of the configuration file, not mapped, that HAProxy refused to delete: kept in maintenance. */
    private final Set<String> foreignConfigured = ConcurrentHashMap.newKeySet();
    private final StateFile state;
    private volatile Map<String, StateFile.Entry> recorded;
    private volatile Applied last;

    private HaproxyRouter(Builder b) {
        this.client = b.client;
        this.backend = b.backend;
        this.staticServers = Collections.unmodifiableMap(new LinkedHashMap<>(b.servers));
        Map<String, String> byId = new HashMap<>();
        b.servers.forEach((server, target) -> byId.put(target.id(), server));
        this.staticByTargetId = Collections.unmodifiableMap(byId);
        this.dynamic = b.dynamic;
        this.maps = b.maps;
        this.confirmTimeout = b.confirmTimeout;
        this.deleteTimeout = b.deleteTimeout;
        this.pollInterval = b.pollInterval;
        this.capabilities = new RouterCapabilities(Weights.HAPROXY_MAX, true,
                maps != null && maps.stickyKey().isPresent(), maps != null && maps.ruleKey().isPresent(), true);
        this.state = new StateFile(b.stateFile != null ? b.stateFile : defaultStateFile(client, backend), backend);
        StateFile.Loaded loaded = state.load();
        if (loaded.problem() != null) {
            LOG.warn("HAProxy backend {}: ignoring state file: {}; servers zdd does not know are reported with version {}",
                    backend, loaded.problem(), UNKNOWN_VERSION);
        }
        this.recorded = loaded.entries();
    }

    /** The default state file of a backend reached through {@code client}: under {@code java.io.tmpdir}/zdd-haproxy. */
    public static Path defaultStateFile(RuntimeApiClient client, String backend) {
        String address = client.address().replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "zdd-haproxy", address + "-" + backend + ".state");
    }

    /** The file this router keeps the applied targets' identities in. */
    public Path stateFile() {
        return state.path();
    }

    /** A builder for a router of backend {@code backend} reached through {@code client}. */
    public static Builder builder(RuntimeApiClient client, String backend) {
        return new Builder(client, backend);
    }

    /** The backend this router drives. */
    public String backend() {
        return backend;
    }

    /** The client it talks through. */
    public RuntimeApiClient client() {
        return client;
    }

    @Override
    public RouterCapabilities capabilities() {
        return capabilities;
    }

    // ---------------------------------------------------------------- apply

    /** What one table asks of HAProxy. */
    private record Desired(Routing routing, List<Setting> settings, Map<String, Target> targets,
                           Map<String, String> sticky, Map<String, String> rules) {
    }

    /** The last table applied, with what it asked. */
    private record Applied(Routing routing, Desired desired) {
    }

    @Override
    public void apply(Routing routing) {
        Objects.requireNonNull(routing, "routing");
        synchronized (applyLock) {
            String step = "read servers";
            try {
                List<ServerState> states = dynamic ? client.showServersState(backend) : List.of();
                if (dynamic) {
                    adopt(states);
                }
                // computed under the lock: it lists every dynamic server added so far, so none is left serving
                Desired d = desire(routing);
                step = "record identities";
                record(d, true);
                if (dynamic) {
                    step = "add servers";
                    addMissing(d, states);
                }
                step = "raise incoming servers";
                CommandPlan plan = CommandPlan.of(backend, d.settings());
                if (!plan.raise().isEmpty()) {
                    client.set(plan.raise());
                }
                step = "update maps";
                writeMaps(d);
                step = "lower outgoing servers";
                if (!plan.lower().isEmpty()) {
                    client.set(plan.lower());
                }
                step = "delete removed servers";
                for (String name : added.keySet()) {
                    if (!d.targets().containsKey(name)) {
                        pending.add(name);
                    }
                }
                pending.removeAll(d.targets().keySet());
                if (!pending.isEmpty()) {
                    removePendingLocked(deleteTimeout);
                }
                step = "confirm";
                Applied applied = new Applied(routing, d);
                confirm(applied);
                last = applied;
                record(d, false);
            } catch (RuntimeApiException e) {
                throw new RuntimeApiException("apply to HAProxy backend '" + backend + "' failed at step '" + step
                        + "': " + e.getMessage() + "; HAProxy now serves " + describeNow(), e.command(), e.answer());
            }
        }
    }

    private Desired desire(Routing routing) {
        capabilities.check("HAProxy backend '" + backend + "'", routing);
        if (routing.stickiness() != null && !routing.stickiness().key().equals(maps.stickyKey().orElse(null))) {
            throw new IllegalArgumentException("stickiness key " + routing.stickiness().key() + " differs from the "
                    + "configured sticky key " + maps.stickyKey().orElse(null) + " of HAProxy backend '" + backend + "'");
        }
        for (Rule r : routing.rules()) {
            if (!r.key().equals(maps.ruleKey().orElse(null))) {
                throw new IllegalArgumentException("rule key " + r.key() + " differs from the configured rule key "
                        + maps.ruleKey().orElse(null) + " of HAProxy backend '" + backend + "'");
            }
        }
        Map<String, Target> targets = new LinkedHashMap<>();
        List<Route> routes = routing.routes();
        String[] servers = new String[routes.size()];
        int[] weights = new int[routes.size()];
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            servers[i] = serverOf(r.target());
            targets.put(servers[i], r.target());
            weights[i] = r.serving() ? r.weight() : 0;
        }
        int[] scaled = Weights.scale(weights, Weights.HAPROXY_MAX);
        List<Setting> settings = new ArrayList<>();
        List<Weights.Slice> slices = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            Kind kind;
            if (r.serving()) {
                kind = Kind.SERVE;
                slices.add(new Weights.Slice(servers[i], r.target().version(), r.weight()));
            } else if (r.state() == RouteState.ACTIVE) {
                kind = Kind.IDLE;
            } else if (r.state() == RouteState.DRAINING) {
                kind = Kind.DRAIN;
            } else {
                kind = Kind.MAINT;
            }
            settings.add(new Setting(servers[i], kind, scaled[i]));
        }
        for (String s : staticServers.keySet()) {
            if (!targets.containsKey(s)) {
                settings.add(new Setting(s, Kind.MAINT, 0));
            }
        }
        for (String s : added.keySet()) {
            if (!targets.containsKey(s)) {
                settings.add(new Setting(s, Kind.MAINT, 0));
            }
        }
        for (String s : foreignConfigured) {
            if (!targets.containsKey(s) && !added.containsKey(s)) {
                settings.add(new Setting(s, Kind.MAINT, 0));
            }
        }
        Map<String, String> sticky = routing.stickiness() == null ? Map.of() : Weights.stickyRanges(slices);
        Map<String, String> rules = new LinkedHashMap<>();
        for (Rule rule : routing.rules()) {
            List<String> candidates = new ArrayList<>();
            List<String> active = new ArrayList<>();
            for (int i = 0; i < routes.size(); i++) {
                Route r = routes.get(i);
                if (r.target().version().equals(rule.version())) {
                    if (r.serving()) {
                        candidates.add(servers[i]);
                    } else if (r.state() == RouteState.ACTIVE) {
                        active.add(servers[i]);
                    }
                }
            }
            if (candidates.isEmpty()) {
                // a version with no weighted share (blue-green preview): the rule reaches its ACTIVE weight-0 servers
                candidates = active;
            }
            for (String v : rule.values()) {
                Names.mapWord("rule value", v);
                if (!candidates.isEmpty()) {
                    rules.putIfAbsent(v, candidates.get(Math.floorMod(v.hashCode(), candidates.size())));
                }
            }
            if (candidates.isEmpty()) {
                LOG.info("rule {} -> version {} skipped: no ACTIVE server of that version in HAProxy backend {} "
                        + "(its requests are routed by weights)", rule.key(), rule.version(), backend);
            }
        }
        return new Desired(routing, settings, targets, sticky, rules);
    }

    private String serverOf(Target t) {
        String server = staticByTargetId.get(t.id());
        if (server != null) {
            Target configured = staticServers.get(server);
            if (!configured.endpoint().equals(t.endpoint())) {
                throw new IllegalArgumentException("target '" + t.id() + "' has endpoint " + t.endpoint()
                        + " but HAProxy server " + backend + "/" + server + " is configured with " + configured.endpoint());
            }
            return server;
        }
        if (!dynamic) {
            throw new IllegalArgumentException("target '" + t.id() + "' is not a server of HAProxy backend '" + backend
                    + "': map it with server(name, target) or enable dynamicServers(true)");
        }
        String name = Names.name("target id", t.id());
        if (staticServers.containsKey(name)) {
            throw new IllegalArgumentException("target id '" + t.id() + "' is the name of configured server "
                    + backend + "/" + name + ", which is mapped to target '" + staticServers.get(name).id() + "'");
        }
        Names.ipLiteral("endpoint.host of target '" + t.id() + "'", t.endpoint().host());
        return name;
    }

    /**
     * Takes over what an earlier process left: the recorded dynamic servers HAProxy still has become this router's own,
     * every other server that is neither mapped nor known is treated as an unknown dynamic server (maintenance, then
     * deletion when the table omits it). Names HAProxy no longer has (it restarted) are forgotten.
     */
    private void adopt(List<ServerState> states) {
        Set<String> present = new java.util.HashSet<>();
        for (ServerState s : states) {
            present.add(s.serverName());
        }
        added.keySet().retainAll(present);
        pending.retainAll(present);
        foreignConfigured.retainAll(present);
        Map<String, StateFile.Entry> rec = recorded;
        for (ServerState s : states) {
            String name = s.serverName();
            if (staticServers.containsKey(name) || added.containsKey(name) || foreignConfigured.contains(name)) {
                continue;
            }
            StateFile.Entry e = rec.get(name);
            Target t = e != null && e.dynamic() && sameEndpoint(e.target(), s) ? e.target() : unknown(name, s);
            if (t != null) {
                added.put(name, t);
                if (e == null) {
                    LOG.info("HAProxy server {}/{} at {}:{} is not recorded in {}: treated as a dynamic server of an earlier "
                            + "process (version {})", backend, name, s.address(), s.port(), state.path(), UNKNOWN_VERSION);
                }
            }
        }
    }

    private static boolean sameEndpoint(Target t, ServerState s) {
        return t.endpoint().host().equals(s.address()) && t.endpoint().port() == s.port();
    }

    /** Writes the identities: before the commands merged with those recorded, after confirmation exactly the table's. */
    private void record(Desired d, boolean before) {
        Map<String, StateFile.Entry> out = new LinkedHashMap<>();
        d.targets().forEach((name, t) -> out.put(name, new StateFile.Entry(name, !staticServers.containsKey(name), t)));
        for (StateFile.Entry e : recorded.values()) {
            if (before || (pending.contains(e.server()) && e.dynamic())) {
                out.putIfAbsent(e.server(), e);
            }
        }
        try {
            state.write(out.values());
            recorded = Collections.unmodifiableMap(out);
        } catch (IOException | RuntimeException e) {
            String msg = "cannot write the HAProxy router's state file " + state.path() + ": " + e;
            if (before) {
                throw new RuntimeApiException(msg + "; nothing was changed in HAProxy (a later process could not tell "
                        + "which servers are zdd's and which versions they run)", "", "");
            }
            LOG.warn("{}; it still holds the identities written before this apply", msg);
        }
    }

    private void addMissing(Desired d, List<ServerState> states) {
        Map<String, ServerState> existing = new HashMap<>();
        for (ServerState s : states) {
            existing.put(s.serverName(), s);
        }
        for (Map.Entry<String, Target> e : d.targets().entrySet()) {
            String name = e.getKey();
            if (staticServers.containsKey(name)) {
                continue;
            }
            Endpoint ep = e.getValue().endpoint();
            ServerState s = existing.get(name);
            if (s != null) {
                if (!s.address().equals(ep.host()) || s.port() != ep.port()) {
                    throw new RuntimeApiException("HAProxy server " + backend + "/" + name + " exists with address "
                            + s.address() + ":" + s.port() + " but target '" + name + "' is at " + ep, "", "");
                }
                added.put(name, e.getValue());
                continue;
            }
            String addr = ep.isIpv6() ? "ipv6@" + ep.host() + ":" + ep.port() : ep.host() + ":" + ep.port();
            String cmd = "add server " + backend + "/" + name + " " + addr + " weight 0";
            String answer = client.execute(cmd);
            if (!answer.startsWith("New server registered")) {
                throw new RuntimeApiException("HAProxy refused '" + cmd + "': " + Arguments.printable(answer.trim()), cmd, answer);
            }
            added.put(name, e.getValue());
            LOG.info("added HAProxy server {}/{} at {} (maintenance, weight 0)", backend, name, addr);
        }
    }

    private void writeMaps(Desired d) {
        if (maps == null) {
            return;
        }
        if (maps.stickyMap().isPresent()) {
            replaceMap(maps.stickyMap().get(), d.sticky());
        }
        if (maps.rulesMap().isPresent()) {
            replaceMap(maps.rulesMap().get(), d.rules());
        }
    }

    /** Replaces a map's content atomically: prepare a new version, fill it, commit it. */
    private void replaceMap(String file, Map<String, String> entries) {
        long version = client.prepareMap(file);
        List<String> batch = new ArrayList<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            batch.add("add map @" + version + " " + file + " " + Names.mapWord("map key", e.getKey()) + " "
                    + Names.mapWord("map value", e.getValue()));
            if (batch.size() == MAP_BATCH) {
                client.set(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            client.set(batch);
        }
        client.set("commit map @" + version + " " + file);
    }

    /**
     * Retries {@code del server} of dynamic servers that a table no longer lists (they are in maintenance with weight 0
     * already) for up to {@code timeout}. Holds the lock {@code apply} takes, so it waits for a running apply and
     * delays the next one by at most {@code timeout}.
     *
     * @return the server names HAProxy still refuses to delete (it does while connections remain)
     */
    public Set<String> removePending(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (applyLock) {
            return removePendingLocked(timeout);
        }
    }

    private Set<String> removePendingLocked(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String name : new ArrayList<>(pending)) {
                String cmd = "del server " + backend + "/" + name;
                String answer = client.execute(cmd);
                if (answer.startsWith("Server deleted") || answer.startsWith("No such server")) {
                    pending.remove(name);
                    added.remove(name);
                    LOG.info("deleted HAProxy server {}/{}", backend, name);
                } else if (answer.startsWith("Only servers added at runtime")) {
                    // a server of the configuration file that nobody mapped: it stays in maintenance
                    pending.remove(name);
                    added.remove(name);
                    foreignConfigured.add(name);
                    LOG.info("HAProxy server {}/{} is in the configuration file and not mapped: kept in maintenance",
                            backend, name);
                } else {
                    LOG.debug("HAProxy refused '{}' for now: {}", cmd, answer.trim());
                }
            }
            if (pending.isEmpty() || System.nanoTime() - deadline >= 0) {
                break;
            }
            sleep(pollInterval);
        }
        if (!pending.isEmpty()) {
            LOG.warn("HAProxy still refuses to delete servers {} of backend {} (connections remain); they stay in "
                    + "maintenance with weight 0", pending, backend);
        }
        return Set.copyOf(pending);
    }

    /** Dynamic servers removed from the table that HAProxy has not deleted yet (in maintenance, weight 0). */
    public Set<String> pendingRemovals() {
        return Set.copyOf(pending);
    }

    private void confirm(Applied applied) {
        Routing routing = applied.routing();
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        Routing seen;
        while (true) {
            seen = read(applied);
            if (seen.sameTrafficAs(routing)) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            sleep(pollInterval);
        }
        throw new RuntimeApiException("HAProxy backend '" + backend + "' does not serve the applied table within "
                + confirmTimeout + ": applied " + routing + ", reads " + seen, "show servers state " + backend, "");
    }

    private String describeNow() {
        try {
            return current().toString();
        } catch (RuntimeException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }

    // ---------------------------------------------------------------- current

    @Override
    public Routing current() {
        return read(last);
    }

    /** What HAProxy serves, described with the targets of {@code a} (the table applied last, or being confirmed). */
    private Routing read(Applied a) {
        List<ServerState> states = client.showServersState(backend);
        Map<String, String> sticky = maps != null && maps.stickyMap().isPresent()
                ? client.showMap(maps.stickyMap().get()) : Map.of();
        Map<String, String> rules = maps != null && maps.rulesMap().isPresent()
                ? client.showMap(maps.rulesMap().get()) : Map.of();
        if (a != null && matches(a.desired(), states, sticky, rules)) {
            return a.routing();
        }
        return reconstruct(states, sticky, rules, a);
    }

    private boolean matches(Desired d, List<ServerState> states, Map<String, String> sticky, Map<String, String> rules) {
        if (!d.sticky().equals(sticky) || !d.rules().equals(rules)) {
            return false;
        }
        Map<String, Setting> want = new HashMap<>();
        for (Setting s : d.settings()) {
            want.put(s.server(), s);
        }
        Set<String> seen = new java.util.HashSet<>();
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
                case SERVE -> s.serving() && s.userWeight() == w.weight();
                case IDLE -> s.up() && !s.inMaintenance() && !s.draining() && s.userWeight() == 0;
                case DRAIN -> s.draining() && s.userWeight() == 0;
                case MAINT -> s.inMaintenance() && s.userWeight() == 0;
            };
            if (!ok) {
                return false;
            }
        }
        for (Setting w : d.settings()) {
            if (w.kind() != Kind.MAINT && !seen.contains(w.server())) {
                return false;
            }
        }
        return true;
    }

    private Routing reconstruct(List<ServerState> states, Map<String, String> sticky, Map<String, String> rules, Applied a) {
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
            if (pending.contains(name) && s.inMaintenance()) {
                // removed from the table, not deleted yet (connections remain): hidden while it serves nothing;
                // one made ready again by someone else is reported, so that drift shows
                continue;
            }
            RouteState st;
            if (s.inMaintenance() || (!s.up() && !s.draining())) {
                st = RouteState.DISABLED;
            } else if (s.draining() || s.operState() == ServerState.OP_STOPPING) {
                st = RouteState.DRAINING;
            } else {
                st = RouteState.ACTIVE;
            }
            boolean listed = a != null ? a.desired().targets().containsKey(name) : recorded.containsKey(name);
            if (s.inMaintenance() && !listed) {
                continue;
            }
            Target t = targetOf(name, s, a);
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
        List<String> appliedOrder = new ArrayList<>(a == null ? recorded.keySet() : a.desired().targets().keySet());
        order.sort(Comparator.comparingInt((Integer i) -> {
            int k = appliedOrder.indexOf(names.get(i));
            return k >= 0 ? k : Integer.MAX_VALUE;
        }).thenComparingInt(i -> stickyStart.getOrDefault(names.get(i), Integer.MAX_VALUE)));
        List<Route> routes = new ArrayList<>();
        Map<String, String> versionOf = new HashMap<>();
        for (int i : order) {
            routes.add(new Route(targets.get(i), routeStates.get(i) == RouteState.ACTIVE ? bp[i] : 0, routeStates.get(i)));
            versionOf.put(names.get(i), targets.get(i).version());
        }
        Stickiness stickiness = null;
        if (!sticky.isEmpty() && maps != null && maps.stickyKey().isPresent()) {
            stickiness = Stickiness.on(maps.stickyKey().get());
        }
        List<Rule> ruleList = new ArrayList<>();
        if (!rules.isEmpty() && maps != null && maps.ruleKey().isPresent()) {
            RequestKey key = maps.ruleKey().get();
            Map<String, Set<String>> byVersion = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : rules.entrySet()) {
                String version = versionOf.get(e.getValue());
                if (version != null) {
                    byVersion.computeIfAbsent(version, k -> new TreeSet<>()).add(e.getKey());
                }
            }
            byVersion.forEach((version, values) -> ruleList.add(Rule.match(key, values, version)));
        }
        return new Routing(routes, stickiness, ruleList);
    }

    private Target targetOf(String name, ServerState s, Applied a) {
        if (a != null && a.desired().targets().containsKey(name)) {
            return a.desired().targets().get(name);
        }
        StateFile.Entry e = recorded.get(name);
        if (e != null && sameEndpoint(e.target(), s)) {
            return e.target();
        }
        Target t = staticServers.get(name);
        if (t == null) {
            t = added.get(name);
        }
        return t != null ? t : unknown(name, s);
    }

    private Target unknown(String name, ServerState s) {
        try {
            return new Target(name.replace(':', '_'), UNKNOWN_VERSION, new Endpoint(s.address(), Math.max(1, s.port())),
                    Map.of(SERVER_ATTRIBUTE, name));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring HAProxy server {}/{} that cannot be described as a target: {}", backend, name, e.getMessage());
            return null;
        }
    }

    // ---------------------------------------------------------------- connections

    /** Current sessions ({@code scur}) per target id of every server of the backend this router can name. */
    @Override
    public Map<String, Integer> activeConnections() {
        Map<String, Integer> out = new LinkedHashMap<>();
        Applied a = last;
        for (StatRow row : client.showServerStat(backend)) {
            if (!row.isServer() || !backend.equals(row.proxy())) {
                continue;
            }
            String name = row.name();
            StateFile.Entry e = recorded.get(name);
            Target t = a != null && a.desired().targets().containsKey(name) ? a.desired().targets().get(name)
                    : e != null ? e.target() : staticServers.getOrDefault(name, added.get(name));
            out.put(t != null ? t.id() : name, (int) Math.min(Integer.MAX_VALUE, row.scur()));
        }
        return out;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RouterException("interrupted while waiting for HAProxy", e);
        }
    }

    @Override
    public String toString() {
        return "HaproxyRouter[" + client.address() + " backend " + backend + "]";
    }

    /** Builds a {@link HaproxyRouter}. Not thread-safe. */
    public static final class Builder {
        private final RuntimeApiClient client;
        private final String backend;
        private final Map<String, Target> servers = new LinkedHashMap<>();
        private boolean dynamic;
        private RoutingMaps maps;
        private Duration confirmTimeout = DEFAULT_CONFIRM_TIMEOUT;
        private Duration deleteTimeout = DEFAULT_DELETE_TIMEOUT;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Path stateFile;

        private Builder(RuntimeApiClient client, String backend) {
            this.client = Arguments.notNull("client", client);
            this.backend = Names.name("backend", backend);
        }

        /** Declares that configured server {@code backend/server} runs {@code target}. Repeatable. */
        public Builder server(String server, Target target) {
            Names.name("server", server);
            if (target == null) {
                throw new IllegalArgumentException("target of server '" + server + "' must not be null");
            }
            if (servers.containsKey(server)) {
                throw new IllegalArgumentException("server '" + server + "' is mapped twice");
            }
            for (Map.Entry<String, Target> e : servers.entrySet()) {
                if (e.getValue().id().equals(target.id())) {
                    throw new IllegalArgumentException("target id '" + target.id() + "' is mapped to servers '"
                            + e.getKey() + "' and '" + server + "'");
                }
            }
            servers.put(server, target);
            return this;
        }

        /** Whether targets that are not configured servers are added at runtime. Default {@code false}. */
        public Builder dynamicServers(boolean v) {
            dynamic = v;
            return this;
        }

        /** Enables stickiness and/or rules through map files. Default none. */
        public Builder routingMaps(RoutingMaps v) {
            if (v == null) {
                throw new IllegalArgumentException("routingMaps must not be null (leave it unset for a backend without "
                        + "stickiness and rules)");
            }
            maps = v;
            return this;
        }

        /** Bound on reading the applied table back. Default {@link #DEFAULT_CONFIRM_TIMEOUT}. */
        public Builder confirmTimeout(Duration v) {
            confirmTimeout = Arguments.positive("confirmTimeout", v);
            return this;
        }

        /** Time {@code apply} retries {@code del server}; may be zero. Default {@link #DEFAULT_DELETE_TIMEOUT}. */
        public Builder deleteTimeout(Duration v) {
            deleteTimeout = Arguments.nonNegative("deleteTimeout", v);
            return this;
        }

        /** Interval between polls. Default {@link #DEFAULT_POLL_INTERVAL}. */
        public Builder pollInterval(Duration v) {
            pollInterval = Arguments.positive("pollInterval", v);
            return this;
        }

        /**
         * The file recording which target each server was applied with (see the class comment); routers of the same
         * backend in later processes must use the same file. Default {@link #defaultStateFile(RuntimeApiClient, String)}:
         * {@code <java.io.tmpdir>/zdd-haproxy/<address>-<backend>.state}; put it next to the HAProxy configuration on a
         * persistent disk in production.
         */
        public Builder stateFile(Path v) {
            stateFile = Arguments.notNull("stateFile", v).toAbsolutePath();
            if (stateFile.getFileName() == null || stateFile.getParent() == null) {
                throw new IllegalArgumentException("stateFile '" + v + "' is not a file path");
            }
            return this;
        }

        /** Builds; needs at least one server or dynamic servers. */
        public HaproxyRouter build() {
            if (servers.isEmpty() && !dynamic) {
                throw new IllegalArgumentException("HaproxyRouter of backend '" + backend
                        + "' needs server(name, target) mappings or dynamicServers(true)");
            }
            return new HaproxyRouter(this);
        }
    }
}
