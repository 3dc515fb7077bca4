package dev.zdd.haproxy;

import dev.zdd.api.Arguments;
import dev.zdd.api.ConnectionStats;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.haproxy.internal.CommandPlan;
import dev.zdd.haproxy.internal.Names;
import dev.zdd.haproxy.internal.StateFile;
import dev.zdd.haproxy.internal.TableReader;
import dev.zdd.haproxy.internal.Desired;
import dev.zdd.haproxy.internal.DynamicServers;
import dev.zdd.haproxy.internal.ReloadFiles;
import dev.zdd.haproxy.internal.TableMapper;
import dev.zdd.haproxy.internal.Weights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * cannot be written before an apply fails the apply before HAProxy is changed.
 *
 * <p>Reloads and restarts: runtime API changes live in HAProxy's memory only. With
 * {@link Builder#serverStateFile(Path)} the router writes HAProxy's own server-state file (and the map files) after
 * every confirmed apply, and a haproxy.cfg that loads it ({@code load-server-state-from-file}) comes back from a reload
 * or restart serving the last table zdd applied. Dynamic servers are not in the configuration file, so HAProxy drops
 * them at a reload: apply the table again (the guard of {@code dev.zdd.core.guard} notices and does it). Without a
 * server-state file, a reload serves the configuration file again.
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
    /** Default of {@link Builder#writeMapFiles(boolean)}: {@code true}. */
    public static final boolean DEFAULT_WRITE_MAP_FILES = true;
    /** Version reported for a server this instance knows nothing about. */
    public static final String UNKNOWN_VERSION = TableReader.UNKNOWN_VERSION;
    /** Attribute naming the HAProxy server of a target reported for an unknown server. */
    public static final String SERVER_ATTRIBUTE = TableReader.SERVER_ATTRIBUTE;

    private static final Logger LOG = LoggerFactory.getLogger(HaproxyRouter.class);

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
    private volatile Desired last;
    private final TableReader reader;
    private final ReloadFiles reloadFiles;

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
        this.reloadFiles = b.serverStateFile == null ? null : new ReloadFiles(b.serverStateFile, b.writeMapFiles);
        this.reader = new TableReader(backend, maps == null ? java.util.Optional.empty() : maps.stickyKey(),
                maps == null ? java.util.Optional.empty() : maps.ruleKey());
    }

    /** The default state file of a backend reached through {@code client}: under {@code java.io.tmpdir}/zdd-haproxy. */
    public static Path defaultStateFile(RuntimeApiClient client, String backend) {
        String address = client.address().replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "zdd-haproxy", address + "-" + backend + ".state");
    }

    /** HAProxy's server-state file this router writes after every confirmed apply, if configured. */
    public java.util.Optional<Path> serverStateFile() {
        return java.util.Optional.ofNullable(reloadFiles).map(ReloadFiles::serverStateFile);
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
                    DynamicServers.addMissing(client, backend, d, states, staticServers.keySet(), added);
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
                    DynamicServers.removePending(client, backend, pending, added, foreignConfigured, deleteTimeout,
                            pollInterval);
                }
                step = "confirm";
                confirm(d);
                last = d;
                record(d, false);
                step = "write the files HAProxy loads at a reload";
                persist(d);
            } catch (RuntimeApiException e) {
                throw new RuntimeApiException("apply to HAProxy backend '" + backend + "' failed at step '" + step
                        + "': " + e.getMessage() + "; HAProxy now serves " + describeNow(), e.command(), e.answer());
            }
        }
    }

    private Desired desire(Routing routing) {
        capabilities.check("HAProxy backend '" + backend + "'", routing);
        Set<String> others = new LinkedHashSet<>(staticServers.keySet());
        others.addAll(added.keySet());
        others.addAll(foreignConfigured);
        return TableMapper.desire(backend, routing, maps, this::serverOf, others);
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
            Target t = e != null && e.dynamic() && TableReader.sameEndpoint(e.target(), s) ? e.target() : reader.unknown(name, s);
            if (t != null) {
                added.put(name, t);
                if (e == null) {
                    LOG.info("HAProxy server {}/{} at {}:{} is not recorded in {}: treated as a dynamic server of an earlier "
                            + "process (version {})", backend, name, s.address(), s.port(), state.path(), UNKNOWN_VERSION);
                }
            }
        }
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

    /** After a confirmed apply: HAProxy's server-state file and the map files, so a reload or restart keeps the table. */
    private void persist(Desired d) {
        if (reloadFiles == null) {
            return;
        }
        Map<String, Map<String, String>> files = new LinkedHashMap<>();
        if (maps != null) {
            maps.stickyMap().ifPresent(f -> files.put(f, d.sticky()));
            maps.rulesMap().ifPresent(f -> files.put(f, d.rules()));
        }
        try {
            reloadFiles.write(client, backend, files);
        } catch (IOException e) {
            throw new RuntimeApiException("HAProxy serves the table, but the files it loads at a reload ("
                    + reloadFiles.serverStateFile() + (files.isEmpty() ? "" : ", " + files.keySet()) + ") could not be "
                    + "written: " + e + "; a reload or restart of HAProxy would undo this table", "", "");
        }
    }

    private void writeMaps(Desired d) {
        if (maps == null) {
            return;
        }
        if (maps.stickyMap().isPresent()) {
            DynamicServers.replaceMap(client, maps.stickyMap().get(), d.sticky());
        }
        if (maps.rulesMap().isPresent()) {
            DynamicServers.replaceMap(client, maps.rulesMap().get(), d.rules());
        }
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
            return DynamicServers.removePending(client, backend, pending, added, foreignConfigured, timeout, pollInterval);
        }
    }

    /** Dynamic servers removed from the table that HAProxy has not deleted yet (in maintenance, weight 0). */
    public Set<String> pendingRemovals() {
        return Set.copyOf(pending);
    }

    private void confirm(Desired applied) {
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

    /**
     * What HAProxy serves: the operator's intent (ready/drain/maint and weight) as route states and weights, and
     * HAProxy's own health check as each route's {@link dev.zdd.api.BalancerHealth}. A server that is ready but down
     * by its check is an ACTIVE route with its weight and health DOWN, never DISABLED.
     */
    @Override
    public Routing current() {
        return read(last);
    }

    /** What HAProxy serves, described with the targets of {@code a} (the table applied last, or being confirmed). */
    private Routing read(Desired a) {
        List<ServerState> states = client.showServersState(backend);
        Map<String, String> sticky = maps != null && maps.stickyMap().isPresent()
                ? client.showMap(maps.stickyMap().get()) : Map.of();
        Map<String, String> rules = maps != null && maps.rulesMap().isPresent()
                ? client.showMap(maps.rulesMap().get()) : Map.of();
        return reader.read(states, sticky, rules, new TableReader.Known(a, recorded, pending, staticServers, added));
    }

    // ---------------------------------------------------------------- connections

    /** Current sessions ({@code scur}) per target id of every server of the backend this router can name. */
    @Override
    public Map<String, Integer> activeConnections() {
        Map<String, Integer> out = new LinkedHashMap<>();
        Desired a = last;
        for (StatRow row : client.showServerStat(backend)) {
            if (!row.isServer() || !backend.equals(row.proxy())) {
                continue;
            }
            String name = row.name();
            StateFile.Entry e = recorded.get(name);
            Target t = a != null && a.targets().containsKey(name) ? a.targets().get(name)
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
        private Path serverStateFile;
        private boolean writeMapFiles = DEFAULT_WRITE_MAP_FILES;

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

        /**
         * HAProxy's own server-state file of this backend: after every confirmed apply the router writes the output of
         * {@code show servers state <backend>} to it (atomically), and, unless {@link #writeMapFiles(boolean)} is
         * off, the map files of {@link RoutingMaps} with the committed entries, so that a reload
         * ({@code haproxy -sf <pid> -x <socket>}, {@code systemctl reload haproxy}) or a restart keeps serving the
         * last table zdd applied instead of the configuration file. haproxy.cfg must load it (see docs/haproxy.md):
         * {@code server-state-base DIR} in {@code global}, and {@code load-server-state-from-file local} plus
         * {@code server-state-file-name NAME} in the backend, with this path being {@code DIR/NAME}. The file must
         * be reachable from this process (same machine, or a shared path). Default none (runtime changes live only in
         * HAProxy's memory and a reload undoes them).
         */
        public Builder serverStateFile(Path v) {
            serverStateFile = Arguments.notNull("serverStateFile", v).toAbsolutePath();
            if (serverStateFile.getFileName() == null || serverStateFile.getParent() == null) {
                throw new IllegalArgumentException("serverStateFile '" + v + "' is not a file path");
            }
            return this;
        }

        /**
         * Whether, with a {@link #serverStateFile(Path)}, the map files are rewritten after every confirmed apply too.
         * Default {@link #DEFAULT_WRITE_MAP_FILES}.
         */
        public Builder writeMapFiles(boolean v) {
            writeMapFiles = v;
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
