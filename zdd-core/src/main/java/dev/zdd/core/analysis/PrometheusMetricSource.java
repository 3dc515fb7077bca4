package dev.zdd.core.analysis;

import dev.zdd.core.analysis.internal.PrometheusQuery;
import dev.zdd.core.analysis.internal.PrometheusText;
import dev.zdd.api.Arguments;
import dev.zdd.api.Target;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A {@link MetricSource} that scrapes a Prometheus text endpoint on each target ({@code /actuator/prometheus} by
 * default) with OkHttp, parses it with {@link PrometheusText}, and computes each metric over the window from two
 * scrapes with a {@link PrometheusQuery}. A scrape younger than {@link Builder#reuseWithin(Duration)} is reused, so
 * that reading several metrics in one measurement scrapes each target once.
 *
 * <p>The first read of a target has no earlier scrape and answers "no data" (the window starts then). Metrics are
 * registered by name; {@link Builder#springBootDefaults()} registers the {@link StandardMetrics} for Micrometer's
 * {@code http_server_requests_seconds} (latency quantiles need
 * {@code management.metrics.distribution.percentiles-histogram.http.server.requests=true}).
 *
 * <p>Thread-safe. Every request is bounded by the configured timeout.
 */
public final class PrometheusMetricSource implements MetricSource {
    /** Default metrics path. */
    public static final String DEFAULT_PATH = "/actuator/prometheus";
    /** Default timeout of one scrape (connect, read and whole call). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Default age below which a scrape is reused instead of repeated. */
    public static final Duration DEFAULT_REUSE_WITHIN = Duration.ofSeconds(1);
    /** Largest exposition read, in bytes. */
    public static final long MAX_BODY_BYTES = 32L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricSource.class);
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/-]{0,200}");
    private static final String SPRING = "http_server_requests_seconds";
    private static final String NOT_ACTUATOR = "uri!~\"/actuator.*\"";

    private final String path;
    private final OkHttpClient client;
    private final Duration reuseWithin;
    private final Map<String, PrometheusQuery> metrics;
    private final Map<String, CounterWindow<PrometheusText.Scrape>> windows = new ConcurrentHashMap<>();

    private PrometheusMetricSource(Builder b) {
        this.path = b.path;
        this.reuseWithin = b.reuseWithin;
        this.metrics = Map.copyOf(b.metrics);
        OkHttpClient base = b.client != null ? b.client : new OkHttpClient();
        this.client = base.newBuilder()
                .connectTimeout(b.timeout)
                .readTimeout(b.timeout)
                .writeTimeout(b.timeout)
                .callTimeout(b.timeout)
                .build();
    }

    /** A builder with no metrics registered. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public MetricSample read(MetricQuery query) throws IOException {
        PrometheusQuery def = metrics.get(query.metric());
        if (def == null) {
            throw new IllegalArgumentException("metric '" + query.metric() + "' is not registered with this Prometheus source; known: "
                    + new java.util.TreeSet<>(metrics.keySet()));
        }
        if (query.targets().isEmpty()) {
            return MetricSample.noData(query.metric(), Duration.ZERO, "no targets");
        }
        List<PrometheusQuery.Part> parts = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        long requests = 0;
        long covered = Long.MAX_VALUE;
        List<String> missing = new ArrayList<>();
        for (Target t : query.targets()) {
            CounterWindow<PrometheusText.Scrape> w = windows.computeIfAbsent(t.id() + "@" + t.endpoint(), k -> new CounterWindow<>());
            CounterWindow.Reading<PrometheusText.Scrape> now = scrape(t, w, query.clock().nanoTime());
            CounterWindow.Reading<PrometheusText.Scrape> base = w.base(now.nanos(), query.window()).orElse(null);
            if (base == null) {
                missing.add(t.id());
                continue;
            }
            long span = now.nanos() - base.nanos();
            covered = Math.min(covered, span);
            PrometheusQuery.Part p = def.part(base.value(), now.value(), span / 1e9);
            parts.add(p);
            requests += p.requests();
            double v = def.value(p);
            if (!Double.isNaN(v)) {
                values.add(v);
            }
        }
        if (parts.isEmpty()) {
            return MetricSample.noData(query.metric(), Duration.ZERO, "first scrape of " + missing + ": the window starts now");
        }
        Duration window = Duration.ofNanos(covered);
        double value = def.aggregate(parts);
        String note = missing.isEmpty() ? "" : "no earlier scrape of " + missing;
        return new MetricSample(query.metric(), value, values, requests, window, note);
    }

    private CounterWindow.Reading<PrometheusText.Scrape> scrape(Target t, CounterWindow<PrometheusText.Scrape> w, long nowNanos)
            throws IOException {
        CounterWindow.Reading<PrometheusText.Scrape> last = w.latest().orElse(null);
        if (last != null && nowNanos - last.nanos() >= 0 && nowNanos - last.nanos() < reuseWithin.toNanos()) {
            return last;
        }
        String url = "http://" + t.endpoint().authority() + path;
        Request request = new Request.Builder().url(url).get().header("Accept", "text/plain;version=0.0.4").build();
        try (Response response = client.newCall(request).execute()) {
            ResponseBody body = response.body();
            if (!response.isSuccessful()) {
                throw new IOException("scrape of " + t.id() + " at " + url + " answered HTTP " + response.code());
            }
            if (body.contentLength() > MAX_BODY_BYTES) {
                throw new IOException("scrape of " + t.id() + " at " + url + " is larger than " + MAX_BODY_BYTES + " bytes");
            }
            PrometheusText.Scrape scrape;
            try {
                scrape = PrometheusText.parse(body.string());
            } catch (IllegalArgumentException e) {
                throw new IOException("scrape of " + t.id() + " at " + url + " is not Prometheus text: " + e.getMessage(), e);
            }
            w.add(nowNanos, scrape);
            LOG.debug("scraped {} ({} series)", url, scrape.series().size());
            return w.latest().orElseThrow();
        }
    }

    /** Builds a {@link PrometheusMetricSource}. Not thread-safe. */
    public static final class Builder {
        private String path = DEFAULT_PATH;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration reuseWithin = DEFAULT_REUSE_WITHIN;
        private OkHttpClient client;
        private final Map<String, PrometheusQuery> metrics = new LinkedHashMap<>();

        private Builder() {
        }

        /** Path of the metrics endpoint on every target. Default {@link #DEFAULT_PATH}. */
        public Builder path(String v) {
            if (v == null || !PATH.matcher(v).matches()) {
                throw new IllegalArgumentException("path '" + (v == null ? null : PrometheusText.printable(v))
                        + "' is invalid: expected '/' then letters, digits, '.', '_', '~', '/' or '-'");
            }
            path = v;
            return this;
        }

        /** Timeout of one scrape. Default {@link #DEFAULT_TIMEOUT}. */
        public Builder timeout(Duration v) {
            if (v == null || v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + v);
            }
            timeout = v;
            return this;
        }

        /** A scrape younger than this is reused. Default {@link #DEFAULT_REUSE_WITHIN}; zero scrapes every time. */
        public Builder reuseWithin(Duration v) {
            if (v == null || v.isNegative()) {
                throw new IllegalArgumentException("reuseWithin must not be negative, was " + v);
            }
            reuseWithin = v;
            return this;
        }

        /** The OkHttp client to derive from (its timeouts are replaced). Default: a new one. */
        public Builder client(OkHttpClient v) {
            client = Arguments.notNull("client", v);
            return this;
        }

        /** Registers (or replaces) a metric under {@code name}. */
        public Builder metric(String name, PrometheusQuery q) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("metric name must not be blank, was '" + name + "'");
            }
            if (q == null) {
                throw new IllegalArgumentException("query of metric '" + name + "' must not be null");
            }
            metrics.put(name, q);
            return this;
        }

        /**
         * Registers the {@link StandardMetrics} for Spring Boot / Micrometer's {@code http_server_requests_seconds}
         * (actuator requests excluded; 5xx are errors; latencies in milliseconds).
         */
        public Builder springBootDefaults() {
            String count = SPRING + "_count{" + NOT_ACTUATOR + "}";
            metric(StandardMetrics.ERROR_RATE, PrometheusQuery.ratio(SPRING + "_count{" + NOT_ACTUATOR + ",status=~\"5..\"}", count));
            metric(StandardMetrics.REQUEST_RATE, PrometheusQuery.rate(count));
            metric(StandardMetrics.LATENCY_MEAN, PrometheusQuery.mean(SPRING + "_sum{" + NOT_ACTUATOR + "}", count).scaled(1000));
            for (double q : new double[] {0.5, 0.9, 0.95, 0.99}) {
                metric(StandardMetrics.latency(q), PrometheusQuery.quantile(q, SPRING + "_bucket{" + NOT_ACTUATOR + "}").scaled(1000));
            }
            return this;
        }

        /** Builds; at least one metric must be registered. */
        public PrometheusMetricSource build() {
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("metrics must not be empty: register one with metric(...) or springBootDefaults()");
            }
            return new PrometheusMetricSource(this);
        }
    }
}
