package dev.zdd.haproxy;

import dev.zdd.api.Target;
import dev.zdd.core.analysis.CounterWindow;
import dev.zdd.core.analysis.MetricQuery;
import dev.zdd.core.analysis.MetricSample;
import dev.zdd.core.analysis.MetricSource;
import dev.zdd.core.analysis.StandardMetrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A {@link MetricSource} over HAProxy's {@code show stat}: per-server request and 5xx counters of one backend, read
 * through {@link HaproxyMetrics}, turned into {@link StandardMetrics} over a window by two readings
 * ({@link CounterWindow}).
 *
 * <ul>
 *   <li>{@link StandardMetrics#ERROR_RATE}: increase of {@code hrsp_5xx} over increase of {@code req_tot};</li>
 *   <li>{@link StandardMetrics#REQUEST_RATE}: increase of {@code req_tot} per second;</li>
 *   <li>{@link StandardMetrics#LATENCY_MEAN}: HAProxy's {@code rtime} (average response time over the server's last 1024
 *       requests, not exactly the window), weighted by each server's requests in the window.</li>
 * </ul>
 * HAProxy has no latency quantiles per server; use {@code PrometheusMetricSource} or the in-process router for
 * those. The first read has no earlier reading and answers "no data".
 *
 * <p>A target maps to the server named by its {@link HaproxyRouter#SERVER_ATTRIBUTE} attribute, else to its id (the
 * name {@link HaproxyRouter} gives dynamic servers); pass a function for other names. One {@code show stat} serves
 * every metric read within {@link #DEFAULT_REUSE_WITHIN}.
 *
 * <p>Thread-safe.
 */
public final class HaproxyMetricSource implements MetricSource {
    /** A reading younger than this is reused instead of asking HAProxy again: 1 s. */
    public static final Duration DEFAULT_REUSE_WITHIN = Duration.ofSeconds(1);

    private final HaproxyMetrics metrics;
    private final Function<Target, String> serverName;
    private final CounterWindow<Map<String, ServerMetrics>> window = new CounterWindow<>();

    private HaproxyMetricSource(HaproxyMetrics metrics, Function<Target, String> serverName) {
        this.metrics = metrics;
        this.serverName = serverName;
    }

    /** A source whose targets map to servers by attribute {@link HaproxyRouter#SERVER_ATTRIBUTE}, else by id. */
    public static HaproxyMetricSource of(HaproxyMetrics metrics) {
        return of(metrics, t -> {
            String s = t.attribute(HaproxyRouter.SERVER_ATTRIBUTE);
            return s != null ? s : t.id();
        });
    }

    /** A source whose targets map to servers through {@code serverName}. */
    public static HaproxyMetricSource of(HaproxyMetrics metrics, Function<Target, String> serverName) {
        if (metrics == null || serverName == null) {
            throw new IllegalArgumentException("metrics and serverName must not be null");
        }
        return new HaproxyMetricSource(metrics, serverName);
    }

    @Override
    public MetricSample read(MetricQuery query) {
        String metric = query.metric();
        if (!metric.equals(StandardMetrics.ERROR_RATE) && !metric.equals(StandardMetrics.REQUEST_RATE)
                && !metric.equals(StandardMetrics.LATENCY_MEAN)) {
            throw new IllegalArgumentException("metric '" + metric + "' is not available from HAProxy show stat; known: "
                    + StandardMetrics.ERROR_RATE + ", " + StandardMetrics.REQUEST_RATE + ", " + StandardMetrics.LATENCY_MEAN);
        }
        if (query.targets().isEmpty()) {
            return MetricSample.noData(metric, Duration.ZERO, "no targets");
        }
        CounterWindow.Reading<Map<String, ServerMetrics>> now = reading(query.clock().nanoTime());
        CounterWindow.Reading<Map<String, ServerMetrics>> base = window.base(now.nanos(), query.window()).orElse(null);
        if (base == null) {
            return MetricSample.noData(metric, Duration.ZERO, "first reading of HAProxy: the window starts now");
        }
        double seconds = (now.nanos() - base.nanos()) / 1e9;
        long requests = 0;
        long errors = 0;
        double weightedLatency = 0;
        List<Double> values = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (Target t : query.targets()) {
            String server = serverName.apply(t);
            ServerMetrics cur = now.value().get(server);
            if (cur == null) {
                unknown.add(server);
                continue;
            }
            ServerMetrics d = cur.minus(base.value().get(server));
            requests += d.requests();
            errors += d.errors5xx();
            weightedLatency += (double) d.rtimeMs() * d.requests();
            double v = switch (metric) {
                case StandardMetrics.ERROR_RATE -> d.requests() == 0 ? Double.NaN : (double) d.errors5xx() / d.requests();
                case StandardMetrics.REQUEST_RATE -> d.requests() / seconds;
                default -> d.requests() == 0 ? Double.NaN : d.rtimeMs();
            };
            if (!Double.isNaN(v)) {
                values.add(v);
            }
        }
        double value = switch (metric) {
            case StandardMetrics.ERROR_RATE -> requests == 0 ? Double.NaN : (double) errors / requests;
            case StandardMetrics.REQUEST_RATE -> requests / seconds;
            default -> requests == 0 ? Double.NaN : weightedLatency / requests;
        };
        String note = unknown.isEmpty() ? "" : "servers not in the backend: " + unknown;
        return new MetricSample(metric, value, values, requests, Duration.ofNanos(now.nanos() - base.nanos()), note);
    }

    private CounterWindow.Reading<Map<String, ServerMetrics>> reading(long nowNanos) {
        synchronized (window) {
            CounterWindow.Reading<Map<String, ServerMetrics>> last = window.latest().orElse(null);
            if (last != null && nowNanos - last.nanos() >= 0 && nowNanos - last.nanos() < DEFAULT_REUSE_WITHIN.toNanos()) {
                return last;
            }
            window.add(nowNanos, metrics.read());
            return window.latest().orElseThrow();
        }
    }

    @Override
    public String toString() {
        return "HaproxyMetricSource[" + metrics + "]";
    }
}
