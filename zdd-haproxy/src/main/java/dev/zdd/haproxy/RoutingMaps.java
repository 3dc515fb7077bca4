package dev.zdd.haproxy;

import dev.zdd.api.RequestKey;
import dev.zdd.haproxy.internal.Names;
import dev.zdd.haproxy.internal.Weights;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Sticky splits and header/cookie rules for HAProxy without reloads: which request key is hashed or matched, and the
 * two map files that {@link HaproxyRouter} rewrites at runtime ({@code prepare map}, {@code add map},
 * {@code commit map}: each map changes atomically). {@link #backendConfig()} generates the lines to paste into the
 * backend section; the map files must exist (empty) when HAProxy starts.
 *
 * <p>How it routes: the sticky line hashes the key ({@code xxh32}) into a point {@code 0..9999} and looks it up in
 * the sticky map, whose entries are ranges {@code lo:hi -> server}; the rules line looks the key's value up in the rules
 * map ({@code value -> server}) and, when found, wins; {@code use-server} then sends the request to that server.
 * Requests without the key, or whose server is in maintenance, fall back to the weighted choice.
 *
 * <p>Immutable; thread-safe.
 */
public final class RoutingMaps {
    /** Name of the transaction variable the generated lines use. */
    public static final String VARIABLE = "txn.zdd_server";

    private final RequestKey stickyKey;
    private final String stickyMap;
    private final RequestKey ruleKey;
    private final String rulesMap;

    private RoutingMaps(Builder b) {
        this.stickyKey = b.stickyKey;
        this.stickyMap = b.stickyMap;
        this.ruleKey = b.ruleKey;
        this.rulesMap = b.rulesMap;
    }

    /** A builder; configure {@code sticky}, {@code rules} or both. */
    public static Builder builder() {
        return new Builder();
    }

    /** The key that sticky splits hash, if configured. */
    public Optional<RequestKey> stickyKey() {
        return Optional.ofNullable(stickyKey);
    }

    /** The sticky map file, if configured. */
    public Optional<String> stickyMap() {
        return Optional.ofNullable(stickyMap);
    }

    /** The key that rules match, if configured. */
    public Optional<RequestKey> ruleKey() {
        return Optional.ofNullable(ruleKey);
    }

    /** The rules map file, if configured. */
    public Optional<String> rulesMap() {
        return Optional.ofNullable(rulesMap);
    }

    /**
     * The lines to put into the backend section (before its {@code server} lines), indented by four spaces, each
     * ending with a newline.
     */
    public String backendConfig() {
        StringBuilder sb = new StringBuilder();
        if (stickyKey != null) {
            sb.append("    # zdd: sticky split; ").append(stickyMap).append(" maps hash ranges 0..")
                    .append(Weights.BUCKETS - 1).append(" to servers\n");
            sb.append("    http-request set-var(").append(VARIABLE).append(") ").append(fetch(stickyKey))
                    .append(",xxh32,mod(").append(Weights.BUCKETS).append("),map_int(").append(stickyMap).append(")\n");
        }
        if (ruleKey != null) {
            sb.append("    # zdd: rules; ").append(rulesMap).append(" maps allow-listed values to servers (wins over sticky)\n");
            sb.append("    http-request set-var(").append(VARIABLE).append(") ").append(fetch(ruleKey))
                    .append(ruleKey.kind() == RequestKey.Kind.CLIENT_ADDRESS ? ",map_ip(" : ",map(")
                    .append(rulesMap).append(")\n");
        }
        if (stickyKey != null || ruleKey != null) {
            sb.append("    use-server %[var(").append(VARIABLE).append(")] if { var(").append(VARIABLE)
                    .append(") -m found }\n");
        }
        return sb.toString();
    }

    private static String fetch(RequestKey key) {
        return switch (key.kind()) {
            case HEADER -> "req.hdr(" + key.name() + ")";
            case COOKIE -> "req.cook(" + key.name() + ")";
            case CLIENT_ADDRESS -> "src";
            case ATTRIBUTE -> throw new IllegalArgumentException("HAProxy cannot read application attribute '"
                    + key.name() + "': use a header, a cookie or the client address");
        };
    }

    @Override
    public String toString() {
        return "RoutingMaps[sticky " + stickyKey + " " + stickyMap + ", rules " + ruleKey + " " + rulesMap + "]";
    }

    /** Builds {@link RoutingMaps}. Not thread-safe. */
    public static final class Builder {
        private RequestKey stickyKey;
        private String stickyMap;
        private RequestKey ruleKey;
        private String rulesMap;

        private Builder() {
        }

        /**
         * Sticky splits hash {@code key}; HAProxy reads {@code mapFile} (an absolute path, written exactly so in the
         * generated config). No default.
         */
        public Builder sticky(RequestKey key, Path mapFile) {
            stickyKey = checkKey("sticky key", key);
            stickyMap = Names.mapPath("sticky map file", Objects.requireNonNull(mapFile, "sticky map file").toString());
            return this;
        }

        /** Rules match {@code key}; HAProxy reads {@code mapFile}. No default. */
        public Builder rules(RequestKey key, Path mapFile) {
            ruleKey = checkKey("rule key", key);
            rulesMap = Names.mapPath("rules map file", Objects.requireNonNull(mapFile, "rules map file").toString());
            return this;
        }

        /** Builds; at least one of sticky and rules must be configured, on different map files. */
        public RoutingMaps build() {
            if (stickyKey == null && ruleKey == null) {
                throw new IllegalArgumentException("RoutingMaps needs sticky(...), rules(...) or both");
            }
            if (stickyMap != null && stickyMap.equals(rulesMap)) {
                throw new IllegalArgumentException("sticky and rules map files must differ, both were '" + stickyMap + "'");
            }
            return new RoutingMaps(this);
        }

        private static RequestKey checkKey(String field, RequestKey key) {
            if (key == null) {
                throw new IllegalArgumentException(field + " must not be null");
            }
            fetch(key);
            return key;
        }
    }
}
