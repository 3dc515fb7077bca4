package dev.zdd.nginx;

import dev.zdd.api.Arguments;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The nginx upstream options zdd renders into <b>every</b> upstream it writes (the weighted {@code zdd_NAME} and the
 * per-version {@code zdd_NAME_vI} ones used by stickiness and rules): {@code zone}, a balancing method,
 * {@code keepalive}, {@code keepalive_requests}, {@code keepalive_timeout}, and per-server parameters
 * ({@link ServerOptions}). Unset values are not rendered, so {@link #DEFAULTS} renders exactly nginx's defaults
 * (round robin, no connection cache). Every value is checked by its builder setter (an {@link IllegalArgumentException}
 * names the field and the value); nothing unchecked reaches the configuration.
 *
 * <p><b>keepalive needs the location's help</b>: zdd renders upstreams, not the user's {@code location}. For nginx to
 * reuse connections to the app, the location that proxies to {@code $zdd_NAME_upstream} must also say
 * {@code proxy_http_version 1.1;} and {@code proxy_set_header Connection "";} (see docs/nginx.md).
 *
 * <p>Immutable; thread-safe when the per-server function given to {@link Builder#servers(Function)} is.
 */
public final class UpstreamOptions {
    /** Nothing set: nginx's defaults. */
    public static final UpstreamOptions DEFAULTS = builder().build();
    /** Most cached idle connections per worker accepted for {@code keepalive}: 10000. */
    public static final int MAX_KEEPALIVE = 10_000;
    /** Most {@code keepalive_requests} accepted: 10,000,000. */
    public static final int MAX_KEEPALIVE_REQUESTS = 10_000_000;
    /** Longest {@code keepalive_timeout} accepted: 1 hour. */
    public static final Duration MAX_KEEPALIVE_TIMEOUT = Duration.ofHours(1);
    /** Smallest {@code zone} size accepted: 32k (nginx refuses smaller zones). */
    public static final long MIN_ZONE_BYTES = 32 * 1024;
    /** Largest {@code zone} size accepted: 1g. */
    public static final long MAX_ZONE_BYTES = 1024L * 1024 * 1024;
    /** A {@code hash} key: nginx variables ({@code $name}) and literal characters, no spaces, quotes or braces. */
    public static final Pattern HASH_KEY = Pattern.compile("(?:\\$[A-Za-z_][A-Za-z0-9_]{0,63}|[A-Za-z0-9_.:/@=-]){1,128}");
    private static final Pattern SIZE = Pattern.compile("([1-9][0-9]{0,9})([kKmMgG]?)");

    private final Balancing balancing;
    private final String zoneSize;
    private final Integer keepalive;
    private final Integer keepaliveRequests;
    private final Duration keepaliveTimeout;
    private final Function<Target, ServerOptions> servers;

    private UpstreamOptions(Builder b) {
        this.balancing = b.balancing;
        this.zoneSize = b.zoneSize;
        this.keepalive = b.keepalive;
        this.keepaliveRequests = b.keepaliveRequests;
        this.keepaliveTimeout = b.keepaliveTimeout;
        this.servers = b.servers;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The balancing method (round robin when unset). */
    public Balancing balancing() {
        return balancing;
    }

    /** The {@code zone} size (for example {@code 64k}), or null. */
    public String zoneSize() {
        return zoneSize;
    }

    /** {@code keepalive} connections per worker, or null. */
    public Integer keepalive() {
        return keepalive;
    }

    /** {@code keepalive_requests}, or null. */
    public Integer keepaliveRequests() {
        return keepaliveRequests;
    }

    /** {@code keepalive_timeout}, or null. */
    public Duration keepaliveTimeout() {
        return keepaliveTimeout;
    }

    /**
     * The server parameters for {@code target} (never null). The result of a user's function is checked here: a
     * {@code backup} server with a method that cannot have one is refused, naming the target and the method.
     */
    public ServerOptions server(Target target) {
        ServerOptions o = servers.apply(target);
        if (o == null) {
            return ServerOptions.DEFAULTS;
        }
        if (o.backup() && !balancing.allowsBackup()) {
            throw new IllegalArgumentException("servers(...) for target '" + target.id() + "': backup cannot be used"
                    + " with the balancing method '" + balancing + "' (nginx allows it with round robin and least_conn"
                    + " only)");
        }
        return o;
    }

    /**
     * The directives of an upstream block named {@code upstream}, each on its own indented line: zone (named after the
     * upstream, so every upstream has its own), the balancing method, then the keepalive directives (nginx wants the
     * method before {@code keepalive}).
     */
    public String directives(String upstream) {
        StringBuilder sb = new StringBuilder();
        if (zoneSize != null) {
            sb.append("    zone ").append(upstream).append(' ').append(zoneSize).append(";\n");
        }
        if (balancing.directive != null) {
            sb.append("    ").append(balancing.directive).append(";\n");
        }
        if (keepalive != null) {
            sb.append("    keepalive ").append(keepalive).append(";\n");
        }
        if (keepaliveRequests != null) {
            sb.append("    keepalive_requests ").append(keepaliveRequests).append(";\n");
        }
        if (keepaliveTimeout != null) {
            sb.append("    keepalive_timeout ").append(time(keepaliveTimeout)).append(";\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "UpstreamOptions[" + directives("zdd").replace("\n", " ").replaceAll(" +", " ").strip() + "]";
    }

    /** An nginx time value: whole seconds as {@code Ns}, else milliseconds as {@code Nms}. */
    static String time(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    static Duration checkTime(String field, Duration value, Duration max) {
        Arguments.notNull(field, value);
        if (value.toMillis() < 1 || value.compareTo(max) > 0 || value.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException(field + " must be whole milliseconds from 1 ms to " + max
                    + ", was " + value);
        }
        return value;
    }

    /**
     * An nginx load-balancing method for the upstreams zdd renders. Weights from the {@link dev.zdd.api.Routing} apply
     * with every method. Immutable; thread-safe.
     */
    public static final class Balancing {
        /** Weighted round robin, nginx's default (renders nothing). */
        public static final Balancing ROUND_ROBIN = new Balancing(null, true);
        /** {@code least_conn}: the server with the fewest active connections (weighted). */
        public static final Balancing LEAST_CONN = new Balancing("least_conn", true);
        /** {@code ip_hash}: by the client address (first three octets of IPv4). */
        public static final Balancing IP_HASH = new Balancing("ip_hash", false);
        /** {@code random}: a random server (weighted). */
        public static final Balancing RANDOM = new Balancing("random", false);
        /** {@code random two least_conn}: two random servers, then the one with fewer connections. */
        public static final Balancing RANDOM_TWO = new Balancing("random two least_conn", false);

        private final String directive;
        private final boolean allowsBackup;

        private Balancing(String directive, boolean allowsBackup) {
            this.directive = directive;
            this.allowsBackup = allowsBackup;
        }

        /**
         * {@code hash KEY [consistent]}: by a key made of nginx variables and literal characters, for example
         * {@code $request_uri} or {@code $http_x_user}; with {@code consistent}, ketama consistent hashing (few keys
         * move when servers come and go).
         *
         * @throws IllegalArgumentException naming the key when it does not match {@link #HASH_KEY}
         */
        public static Balancing hash(String key, boolean consistent) {
            Arguments.matches("hash key", key, HASH_KEY,
                    "nginx variables ($name) and letters, digits or _ . : / @ = -, at most 128 characters");
            return new Balancing("hash " + key + (consistent ? " consistent" : ""), false);
        }

        boolean allowsBackup() {
            return allowsBackup;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Balancing b && String.valueOf(directive).equals(String.valueOf(b.directive));
        }

        @Override
        public int hashCode() {
            return String.valueOf(directive).hashCode();
        }

        @Override
        public String toString() {
            return directive == null ? "round robin" : directive;
        }
    }

    /** Builds {@link UpstreamOptions}; every setter validates and names the bad value. Not thread-safe. */
    public static final class Builder {
        private Balancing balancing = Balancing.ROUND_ROBIN;
        private String zoneSize;
        private Integer keepalive;
        private Integer keepaliveRequests;
        private Duration keepaliveTimeout;
        private Function<Target, ServerOptions> servers = t -> ServerOptions.DEFAULTS;
        private ServerOptions constantServers = ServerOptions.DEFAULTS;

        private Builder() {
        }

        /** The balancing method; default {@link Balancing#ROUND_ROBIN}. */
        public Builder balancing(Balancing value) {
            balancing = Arguments.notNull("balancing", value);
            return this;
        }

        /**
         * {@code zone NAME SIZE}: a shared memory zone so that all workers share the upstream's state (failures,
         * {@code max_conns} counts). zdd names each zone after its upstream; give the size, {@code 32k} to {@code 1g}
         * (digits, then k, m or g).
         */
        public Builder zone(String size) {
            Arguments.notNull("zone", size);
            var m = SIZE.matcher(size);
            if (!m.matches()) {
                throw new IllegalArgumentException("zone '" + Arguments.printable(size)
                        + "' is not a size (digits, then k, m or g, e.g. 64k)");
            }
            long n = Long.parseLong(m.group(1));
            long bytes = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                case "k" -> n * 1024;
                case "m" -> n * 1024 * 1024;
                case "g" -> n * 1024 * 1024 * 1024;
                default -> n;
            };
            if (bytes < MIN_ZONE_BYTES || bytes > MAX_ZONE_BYTES) {
                throw new IllegalArgumentException("zone '" + size + "' must be from 32k to 1g");
            }
            zoneSize = size;
            return this;
        }

        /**
         * {@code keepalive N}: idle connections to the app that each worker keeps open for reuse; 1 to
         * {@link #MAX_KEEPALIVE}. The proxying location must also set {@code proxy_http_version 1.1} and clear the
         * {@code Connection} header (see the class comment).
         */
        public Builder keepalive(int connections) {
            keepalive = Arguments.range("keepalive", connections, 1, MAX_KEEPALIVE);
            return this;
        }

        /** {@code keepalive_requests}: requests per kept connection before it is closed; 1 to {@link #MAX_KEEPALIVE_REQUESTS}. */
        public Builder keepaliveRequests(int value) {
            keepaliveRequests = Arguments.range("keepaliveRequests", value, 1, MAX_KEEPALIVE_REQUESTS);
            return this;
        }

        /** {@code keepalive_timeout}: how long an idle kept connection stays open; 1 ms to {@link #MAX_KEEPALIVE_TIMEOUT}. */
        public Builder keepaliveTimeout(Duration value) {
            keepaliveTimeout = checkTime("keepaliveTimeout", value, MAX_KEEPALIVE_TIMEOUT);
            return this;
        }

        /** The same server parameters for every server. */
        public Builder servers(ServerOptions value) {
            ServerOptions v = Arguments.notNull("servers", value);
            constantServers = v;
            servers = t -> v;
            return this;
        }

        /**
         * Server parameters per target (for example {@code backup} for targets with a given attribute); the function
         * is called for every server line rendered and must be pure; null means {@link ServerOptions#DEFAULTS}.
         */
        public Builder servers(Function<Target, ServerOptions> value) {
            servers = Arguments.notNull("servers", value);
            constantServers = ServerOptions.DEFAULTS;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when {@code backup} is set for every server with a method that cannot have
         *                                  backups, or keepalive options are set without {@code keepalive}
         */
        public UpstreamOptions build() {
            if (constantServers.backup() && !balancing.allowsBackup()) {
                throw new IllegalArgumentException("servers: backup cannot be used with the balancing method '"
                        + balancing + "' (nginx allows it with round robin and least_conn only)");
            }
            if (keepalive == null && (keepaliveRequests != null || keepaliveTimeout != null)) {
                throw new IllegalArgumentException("keepaliveRequests and keepaliveTimeout need keepalive(N) (was "
                        + "keepaliveRequests=" + keepaliveRequests + ", keepaliveTimeout=" + keepaliveTimeout + ")");
            }
            return new UpstreamOptions(this);
        }
    }
}
