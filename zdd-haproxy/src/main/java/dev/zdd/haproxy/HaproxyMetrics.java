package dev.zdd.haproxy;

import dev.zdd.haproxy.internal.Names;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads per-server {@link ServerMetrics} of one backend from {@code show stat}, for canary checks: compare the new
 * version's 5xx rate and response time with the old one's over the same window.
 *
 * <p>Immutable; thread-safe.
 */
public final class HaproxyMetrics {
    private final RuntimeApiClient client;
    private final String backend;

    private HaproxyMetrics(RuntimeApiClient client, String backend) {
        this.client = client;
        this.backend = backend;
    }

    /** A reader of backend {@code backend} through {@code client}. */
    public static HaproxyMetrics of(RuntimeApiClient client, String backend) {
        if (client == null) {
            throw new IllegalArgumentException("client must not be null");
        }
        return new HaproxyMetrics(client, Names.name("backend", backend));
    }

    /**
     * Reads the counters of every server of the backend, by server name, in HAProxy's order.
     *
     * @throws RuntimeApiException when HAProxy cannot be read or answers something malformed
     */
    public Map<String, ServerMetrics> read() {
        Map<String, ServerMetrics> out = new LinkedHashMap<>();
        for (StatRow row : client.showServerStat(backend)) {
            if (row.isServer() && backend.equals(row.proxy())) {
                long requests = row.fields().getOrDefault("req_tot", "").isEmpty() ? row.stot() : row.requests();
                out.put(row.name(), new ServerMetrics(backend, row.name(), requests, row.hrsp5xx(), row.rtimeMs(),
                        row.ttimeMs(), row.scur()));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The difference of two readings, by server: what happened in between (see {@link ServerMetrics#minus}). */
    public static Map<String, ServerMetrics> delta(Map<String, ServerMetrics> before, Map<String, ServerMetrics> after) {
        Map<String, ServerMetrics> out = new LinkedHashMap<>();
        after.forEach((name, m) -> out.put(name, m.minus(before.get(name))));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return "HaproxyMetrics[" + client.address() + " backend " + backend + "]";
    }
}
