package dev.zdd.core.router;

import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.internal.io.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The on-premises L4 trick as a router: an L4 balancer (F5, keepalived/LVS, a cloud TCP balancer) polls a health-check
 * file on each target (served by the target's web server); taking a target out means renaming its file away (to
 * {@code <file>}{@value #DEFAULT_DISABLED_SUFFIX}) so that the balancer's check gets 404, and putting it back means
 * renaming it back. Renames are atomic ({@code rename(2)}).
 *
 * <p>An on/off router: {@link #capabilities()} declares {@code maxWeight} 1 (the balancer splits evenly over the
 * targets that are on), no drain, stickiness or rules. {@link #apply(Routing)} therefore refuses, with an
 * {@link IllegalArgumentException}, tables it cannot carry out honestly: DRAINING routes, stickiness, rules, unequal
 * serving weights (more than 0.5 percentage points from an even split) and targets without a configured file. Targets
 * configured here but absent from the table are turned off. Targets to turn on are renamed first, then those to turn
 * off, so a switch never passes through "nothing on"; if a rename fails, the renames already done are undone and the
 * {@link RouterException} says whether the undo worked.
 *
 * <p>{@link #current()} reads the files: when the set of targets that are on equals the serving set of the table last
 * applied by this instance (or, with a state file, the table the state file records as last applied by any process),
 * it returns that table, so targets it omitted are not reported; otherwise (a fresh instance, or someone renamed files by hand) it
 * returns every configured target in configuration order, evenly weighted when on and DISABLED when off. A file missing
 * under both names is a {@link RouterException}. When {@link Builder#settle(Duration)} is set, {@code apply} waits that
 * long after renaming, so the balancer's next check (interval times fall/rise count) has seen it before it returns.
 *
 * <p>Identity across processes: the files are the record of what is on; the configuration
 * ({@link Builder#target(Target, Path)}) names each target's id, endpoint and file. The version and attributes a target
 * is applied with (a new version deployed on the same machine, a colour) are recorded in the optional state file
 * ({@link Builder#stateFile(Path)}: a properties file written atomically before any rename, with the endpoint of each
 * record checked on reading); a router built from the same configuration in another process reads back the targets as
 * they were applied, and the table last applied (so a deployer in a new process reads back what the last one applied,
 * without the targets that table omitted). Without a state file the configuration is the only record, so {@code apply} refuses a target whose
 * version or attributes differ from the configured one. Targets the table omits are turned off, whichever process
 * turned them on.
 *
 * <p>Thread-safe: applies are serialised. Build with {@link #builder()}.
 */
public final class HealthCheckFileRouter implements TrafficRouter {
    /** Suffix a disabled health-check file gets: {@value}. */
    public static final String DEFAULT_DISABLED_SUFFIX = ".zdd-disabled";
    /** Default wait after renaming: zero. */
    public static final Duration DEFAULT_SETTLE = Duration.ZERO;
    /** Default name used in messages: {@value}. */
    public static final String DEFAULT_NAME = "health-check-file router";
    /** What this router can do: on/off only. */
    public static final RouterCapabilities CAPABILITIES = new RouterCapabilities(1, false, false, false, false);

    private static final Logger LOG = LoggerFactory.getLogger(HealthCheckFileRouter.class);
    private static final double EVEN_TOLERANCE = 0.005;

    private final String name;
    private final Map<String, Target> targets;
    private final Map<String, Path> files;
    private final String suffix;
    private final Duration settle;
    private final Path stateFile;
    private volatile Map<String, Target> recorded;
    /** The table the state file says was last applied (by any process), or null. */
    private volatile Routing recordedTable;
    private final Object lock = new Object();
    private volatile Routing lastApplied;

    private HealthCheckFileRouter(Builder b) {
        this.name = b.name;
        this.targets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.targets));
        this.files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.files));
        this.suffix = b.suffix;
        this.settle = b.settle;
        this.stateFile = b.stateFile;
        this.recorded = readState();
    }

    /** The recorded table ({@code table=id:state:weight,...}) with the recorded identities, or null when unusable. */
    private Routing readTable(java.util.Properties p, Map<String, Target> identities) {
        String text = p.getProperty("table");
        if (text == null) {
            return null;
        }
        List<Route> routes = new ArrayList<>();
        for (String item : text.isEmpty() ? new String[0] : text.split(",")) {
            String[] f = item.split(":");
            Target t = f.length == 3 ? identities.get(f[0]) : null;
            if (t == null) {
                return null; // a target the configuration no longer has, or a malformed entry: fall back to the files
            }
            routes.add(RouteState.valueOf(f[1]) == RouteState.ACTIVE ? Route.active(t, Integer.parseInt(f[2]))
                    : Route.disabled(t));
        }
        return Routing.of(routes);
    }

    /** The recorded identities whose endpoint still matches the configuration; empty without (or with a bad) file. */
    private Map<String, Target> readState() {
        Map<String, Target> out = new LinkedHashMap<>();
        if (stateFile == null || !Files.exists(stateFile)) {
            return out;
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(stateFile)) {
            p.load(r);
            for (Map.Entry<String, Target> e : targets.entrySet()) {
                String id = e.getKey();
                String version = p.getProperty(id + ".version");
                if (version == null || !e.getValue().endpoint().toString().equals(p.getProperty(id + ".endpoint"))) {
                    continue;
                }
                Map<String, String> attrs = new java.util.TreeMap<>();
                String prefix = id + ".attribute.";
                for (String k : p.stringPropertyNames()) {
                    if (k.startsWith(prefix)) {
                        attrs.put(k.substring(prefix.length()), p.getProperty(k));
                    }
                }
                out.put(id, new Target(id, version, e.getValue().endpoint(), attrs));
            }
            Map<String, Target> identities = new LinkedHashMap<>(targets);
            identities.putAll(out);
            recordedTable = readTable(p, identities);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: ignoring state file {}: {}; targets are reported as configured", name, stateFile, describe(e));
            recordedTable = null;
            return new LinkedHashMap<>();
        }
        return out;
    }

    private void writeState(Routing routing) throws IOException {
        Map<String, Target> next = new LinkedHashMap<>(recorded);
        for (Route r : routing.routes()) {
            next.put(r.target().id(), r.target());
        }
        java.util.Properties p = new java.util.Properties();
        next.forEach((id, t) -> {
            p.setProperty(id + ".version", t.version());
            p.setProperty(id + ".endpoint", t.endpoint().toString());
            t.attributes().forEach((k, v) -> p.setProperty(id + ".attribute." + k, v));
        });
        java.util.StringJoiner table = new java.util.StringJoiner(",");
        for (Route r : routing.routes()) {
            table.add(r.target().id() + ":" + (r.serving() ? RouteState.ACTIVE : RouteState.DISABLED) + ":" + r.weight());
        }
        p.setProperty("table", table.toString());
        Files.createDirectories(stateFile.toAbsolutePath().getParent());
        Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        try (java.io.Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "zdd HealthCheckFileRouter identities");
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        recorded = next;
        recordedTable = routing;
    }

    /** A target as this router knows it: as recorded (applied), else as configured. */
    private Target known(String id) {
        Target t = recorded.get(id);
        return t != null ? t : targets.get(id);
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RouterCapabilities capabilities() {
        return CAPABILITIES;
    }

    /** The health-check file of a configured target (present when the target is on). */
    public Path file(String targetId) {
        Path p = files.get(targetId);
        if (p == null) {
            throw new IllegalArgumentException("unknown target '" + targetId + "': " + name + " has files for " + files.keySet());
        }
        return p;
    }

    /** Where the file of a configured target is while it is off. */
    public Path disabledFile(String targetId) {
        Path p = file(targetId);
        return p.resolveSibling(p.getFileName() + suffix);
    }

    @Override
    public void apply(Routing routing) {
        Objects.requireNonNull(routing, "routing");
        CAPABILITIES.check(name, routing);
        Set<String> on = validate(routing);
        synchronized (lock) {
            if (stateFile != null) {
                try {
                    writeState(routing);
                } catch (IOException | RuntimeException e) {
                    throw new RouterException(name + ": cannot record the targets' identities in " + stateFile + ": "
                            + describe(e) + "; nothing was changed", e);
                }
            }
            List<String[]> done = new ArrayList<>();
            List<String> order = new ArrayList<>();
            for (String id : files.keySet()) {
                if (on.contains(id)) {
                    order.add(id);
                }
            }
            for (String id : files.keySet()) {
                if (!on.contains(id)) {
                    order.add(id);
                }
            }
            for (String id : order) {
                boolean wantOn = on.contains(id);
                try {
                    if (switchFile(id, wantOn)) {
                        done.add(new String[] {id, String.valueOf(wantOn)});
                    }
                } catch (RuntimeException | IOException e) {
                    String undo = undo(done);
                    throw new RouterException(name + ": turning " + (wantOn ? "on" : "off") + " target " + id + " ("
                            + file(id) + ") failed: " + describe(e) + "; " + undo, e);
                }
            }
            lastApplied = routing;
        }
        LOG.debug("{}: applied {}", name, routing);
        if (!settle.isZero()) {
            try {
                Thread.sleep(settle.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RouterException(name + ": interrupted while waiting " + Texts.millis(settle)
                        + " for the balancer to notice; the files are already switched");
            }
        }
    }

    private Set<String> validate(Routing routing) {
        Set<String> on = new LinkedHashSet<>();
        int serving = 0;
        for (Route r : routing.routes()) {
            String id = r.target().id();
            Target known = targets.get(id);
            if (known == null) {
                throw new IllegalArgumentException(name + ": unknown target '" + id + "': no health-check file configured (known: "
                        + files.keySet() + ")");
            }
            if (!known.endpoint().equals(r.target().endpoint())) {
                throw new IllegalArgumentException(name + ": target '" + id + "' has endpoint " + r.target().endpoint()
                        + " in the table but " + known.endpoint() + " in the router's configuration");
            }
            if (stateFile == null && !known.equals(r.target())) {
                // the configuration is this router's identity store: what it does not hold, a later process cannot read
                throw new IllegalArgumentException(name + ": target '" + id + "' has version " + r.target().version()
                        + " and attributes " + r.target().attributes() + " in the table but version " + known.version()
                        + " and attributes " + known.attributes() + " in the router's configuration (its only record "
                        + "of identities across processes): configure the target as it is applied");
            }
            if (r.state() == RouteState.DRAINING) {
                throw new IllegalArgumentException(name + " cannot drain (target " + id
                        + " is DRAINING): it only turns targets on or off; use DISABLED");
            }
            if (r.serving()) {
                on.add(id);
                serving++;
            }
        }
        int total = routing.servingWeight();
        for (Route r : routing.routes()) {
            if (r.serving() && Math.abs((double) r.weight() / total - 1.0 / serving) > EVEN_TOLERANCE) {
                throw new IllegalArgumentException(name + " can only split evenly over the targets that are on, but "
                        + r.target().id() + " has weight " + r.weight() + " of " + total + " in " + routing);
            }
        }
        return on;
    }

    /** Renames the file of {@code id}; returns {@code true} when something was renamed. */
    private boolean switchFile(String id, boolean wantOn) throws IOException {
        Path live = file(id);
        Path off = disabledFile(id);
        boolean isOn = Files.exists(live);
        if (wantOn) {
            if (isOn) {
                return false;
            }
            if (!Files.exists(off)) {
                throw missing(id);
            }
            Files.move(off, live, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
        if (!isOn) {
            if (!Files.exists(off)) {
                throw missing(id);
            }
            return false;
        }
        Files.move(live, off, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private String undo(List<String[]> done) {
        List<String> failures = new ArrayList<>();
        for (int i = done.size() - 1; i >= 0; i--) {
            String id = done.get(i)[0];
            boolean wasTurnedOn = Boolean.parseBoolean(done.get(i)[1]);
            try {
                switchFile(id, !wasTurnedOn);
            } catch (RuntimeException | IOException e) {
                failures.add(id + ": " + describe(e));
            }
        }
        if (done.isEmpty()) {
            return "nothing had been changed";
        }
        return failures.isEmpty() ? "undo succeeded: the " + done.size() + " rename(s) already done were reversed"
                : "undo FAILED for " + failures + ": files are now in a mixed state, check them by hand";
    }

    @Override
    public Routing current() {
        Set<String> on = new LinkedHashSet<>();
        for (String id : files.keySet()) {
            if (Files.exists(file(id))) {
                on.add(id);
            } else if (!Files.exists(disabledFile(id))) {
                throw missing(id);
            }
        }
        for (Routing last : java.util.Arrays.asList(lastApplied, recordedTable)) {
            if (last != null && new HashSet<>(last.servingTargets().stream().map(Target::id).toList()).equals(on)) {
                return last;
            }
        }
        List<Route> routes = new ArrayList<>();
        int n = on.size();
        int k = 0;
        for (String id : targets.keySet()) {
            if (on.contains(id)) {
                int w = Routing.MAX_WEIGHT / n + (k < Routing.MAX_WEIGHT % n ? 1 : 0);
                k++;
                routes.add(Route.active(known(id), w));
            } else {
                routes.add(Route.disabled(known(id)));
            }
        }
        return Routing.of(routes);
    }

    private RouterException missing(String id) {
        return new RouterException(name + ": health-check file of target " + id + " is missing: neither " + file(id)
                + " nor " + disabledFile(id) + " exists");
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @Override
    public String toString() {
        return name + files;
    }

    /** Builds a {@link HealthCheckFileRouter}. Not thread-safe. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private final Map<String, Target> targets = new LinkedHashMap<>();
        private final Map<String, Path> files = new LinkedHashMap<>();
        private String suffix = DEFAULT_DISABLED_SUFFIX;
        private Duration settle = DEFAULT_SETTLE;
        private Path stateFile;

        private Builder() {
        }

        /**
         * A file recording the version and attributes each target was applied with, so that routers built later (in
         * other processes) report them; every router of these targets must use the same file. Default none: then the
         * configuration is the only record and tables must use the configured targets exactly.
         */
        public Builder stateFile(Path value) {
            if (value == null || value.toAbsolutePath().getFileName() == null) {
                throw new IllegalArgumentException("healthCheckFileRouter.stateFile '" + value + "' is not a file path");
            }
            stateFile = value.toAbsolutePath();
            return this;
        }

        /** Adds a target and its health-check file. Repeatable; ids and files must be unique. */
        public Builder target(Target target, Path file) {
            if (target == null) {
                throw new IllegalArgumentException("healthCheckFileRouter.target must not be null");
            }
            if (file == null) {
                throw new IllegalArgumentException("healthCheckFileRouter.file of " + target.id() + " must not be null");
            }
            if (targets.containsKey(target.id())) {
                throw new IllegalArgumentException("healthCheckFileRouter.target '" + target.id() + "' is configured twice");
            }
            Path abs = file.toAbsolutePath().normalize();
            if (abs.getFileName() == null) {
                throw new IllegalArgumentException("healthCheckFileRouter.file of " + target.id() + " '" + file + "' is not a file path");
            }
            if (files.containsValue(abs)) {
                throw new IllegalArgumentException("healthCheckFileRouter.file '" + abs + "' is configured for two targets");
            }
            targets.put(target.id(), target);
            files.put(target.id(), abs);
            return this;
        }

        /** Suffix of disabled files, {@code .} followed by 1 to 32 of {@code A-Z a-z 0-9 . _ -}. Default {@value #DEFAULT_DISABLED_SUFFIX}. */
        public Builder disabledSuffix(String value) {
            if (value == null || !value.matches("\\.[A-Za-z0-9._-]{1,32}")) {
                throw new IllegalArgumentException("healthCheckFileRouter.disabledSuffix '" + value
                        + "' is invalid: expected '.' followed by 1 to 32 of A-Z a-z 0-9 . _ -");
            }
            suffix = value;
            return this;
        }

        /** How long apply waits after renaming (the balancer's check interval times its rise/fall count); not negative. */
        public Builder settle(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("healthCheckFileRouter.settle must not be null or negative, was " + value);
            }
            settle = value;
            return this;
        }

        /** Name used in messages. Default {@value #DEFAULT_NAME}. */
        public Builder name(String value) {
            if (value == null || value.isEmpty() || value.length() > 100 || Texts.hasControl(value)) {
                throw new IllegalArgumentException("healthCheckFileRouter.name '" + value
                        + "' is invalid: expected 1 to 100 characters without control characters");
            }
            name = value;
            return this;
        }

        /** Builds; throws when no target is configured or a file is missing under both names. */
        public HealthCheckFileRouter build() {
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("healthCheckFileRouter.targets must not be empty");
            }
            for (Map.Entry<String, Path> e : files.entrySet()) {
                Path live = e.getValue();
                Path off = live.resolveSibling(live.getFileName() + suffix);
                if (!Files.exists(live) && !Files.exists(off)) {
                    throw new IllegalArgumentException("healthCheckFileRouter.file of " + e.getKey() + " is missing: neither "
                            + live + " nor " + off + " exists");
                }
            }
            return new HealthCheckFileRouter(this);
        }
    }
}
