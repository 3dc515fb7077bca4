package dev.zdd.nginx;

import dev.zdd.api.Arguments;

import java.time.Duration;

/**
 * nginx parameters of one {@code server} line in the upstreams zdd renders: {@code max_fails}, {@code fail_timeout},
 * {@code max_conns} and {@code backup}. Unset values are not rendered (nginx's defaults apply: {@code max_fails=1},
 * {@code fail_timeout=10s}, no connection limit, not a backup). {@code weight} and {@code down} come from the
 * {@link dev.zdd.api.Routing} and are never set here. Immutable; thread-safe.
 *
 * <p>nginx's passive health checks ({@code max_fails} / {@code fail_timeout}) are nginx's business: zdd never turns a
 * server nginx marked failed into a routing change.
 */
public final class ServerOptions {
    /** No parameter set: nginx's defaults. */
    public static final ServerOptions DEFAULTS = builder().build();
    /** Largest {@code max_fails} and {@code max_conns} accepted: 100000. */
    public static final int MAX_COUNT = 100_000;
    /** Longest {@code fail_timeout} accepted: 1 hour. */
    public static final Duration MAX_FAIL_TIMEOUT = Duration.ofHours(1);

    private final Integer maxFails;
    private final Duration failTimeout;
    private final Integer maxConns;
    private final boolean backup;

    private ServerOptions(Builder b) {
        this.maxFails = b.maxFails;
        this.failTimeout = b.failTimeout;
        this.maxConns = b.maxConns;
        this.backup = b.backup;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code max_fails}, or null when unset. */
    public Integer maxFails() {
        return maxFails;
    }

    /** {@code fail_timeout}, or null when unset. */
    public Duration failTimeout() {
        return failTimeout;
    }

    /** {@code max_conns}, or null when unset. */
    public Integer maxConns() {
        return maxConns;
    }

    /** Whether the server is a {@code backup}. */
    public boolean backup() {
        return backup;
    }

    /** The parameters as nginx reads them after the address, each with a leading space ({@code ""} when none). */
    public String render() {
        StringBuilder sb = new StringBuilder();
        if (maxFails != null) {
            sb.append(" max_fails=").append(maxFails);
        }
        if (failTimeout != null) {
            sb.append(" fail_timeout=").append(UpstreamOptions.time(failTimeout));
        }
        if (maxConns != null) {
            sb.append(" max_conns=").append(maxConns);
        }
        if (backup) {
            sb.append(" backup");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerOptions s && render().equals(s.render());
    }

    @Override
    public int hashCode() {
        return render().hashCode();
    }

    @Override
    public String toString() {
        return "ServerOptions[" + render().strip() + "]";
    }

    /** Builds {@link ServerOptions}; every setter validates and names the bad value. Not thread-safe. */
    public static final class Builder {
        private Integer maxFails;
        private Duration failTimeout;
        private Integer maxConns;
        private boolean backup;

        private Builder() {
        }

        /** {@code max_fails}: failed attempts within {@code fail_timeout} that mark the server unavailable; 0 to {@link #MAX_COUNT} (0 disables). */
        public Builder maxFails(int value) {
            maxFails = Arguments.range("maxFails", value, 0, MAX_COUNT);
            return this;
        }

        /**
         * {@code fail_timeout}: whole seconds from 1 s to {@link #MAX_FAIL_TIMEOUT} (nginx reads this parameter in
         * seconds and refuses milliseconds).
         */
        public Builder failTimeout(Duration value) {
            Arguments.notNull("failTimeout", value);
            if (value.getSeconds() < 1 || value.getNano() != 0 || value.compareTo(MAX_FAIL_TIMEOUT) > 0) {
                throw new IllegalArgumentException("failTimeout must be whole seconds from 1 s to " + MAX_FAIL_TIMEOUT
                        + ", was " + value);
            }
            failTimeout = value;
            return this;
        }

        /** {@code max_conns}: most simultaneous connections to the server; 1 to {@link #MAX_COUNT}. */
        public Builder maxConns(int value) {
            maxConns = Arguments.range("maxConns", value, 1, MAX_COUNT);
            return this;
        }

        /**
         * {@code backup}: the server gets requests only when the primary servers are unavailable. nginx refuses it with
         * the {@code hash}, {@code ip_hash} and {@code random} methods ({@link UpstreamOptions} checks that); in an
         * upstream where every server would be a backup (a per-version upstream of backups only), zdd renders them as
         * primary servers, since nginx refuses an upstream without one.
         */
        public Builder backup(boolean value) {
            backup = value;
            return this;
        }

        /** The options. */
        public ServerOptions build() {
            return new ServerOptions(this);
        }
    }
}
