package dev.zdd.core.analysis.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a {@link PrometheusMetricSource} computes one metric from two scrapes of a target (the start and the end of the
 * window): a ratio of counter increases (error rate), a rate, a histogram quantile, a mean from {@code _sum} and
 * {@code _count}, or a gauge's current value. Counter resets (a value lower than at the start of the window) count
 * from zero, as Prometheus' {@code increase()} does.
 *
 * <p>Immutable; thread-safe.
 */
public final class PrometheusQuery {
    private enum Kind { RATIO, RATE, QUANTILE, MEAN, GAUGE }

    private final Kind kind;
    private final PrometheusSelector first;
    private final PrometheusSelector second;
    private final double quantile;
    private final double scale;

    private PrometheusQuery(Kind kind, PrometheusSelector first, PrometheusSelector second, double quantile, double scale) {
        this.kind = kind;
        this.first = first;
        this.second = second;
        this.quantile = quantile;
        this.scale = scale;
    }

    /**
     * Increase of {@code numerator} divided by increase of {@code denominator} (for example 5xx responses over all
     * responses); requests are the denominator's increase.
     */
    public static PrometheusQuery ratio(String numerator, String denominator) {
        return new PrometheusQuery(Kind.RATIO, PrometheusSelector.parse(numerator), PrometheusSelector.parse(denominator), 0, 1);
    }

    /** Increase of a counter per second, summed over targets; requests are the increase. */
    public static PrometheusQuery rate(String counter) {
        return new PrometheusQuery(Kind.RATE, PrometheusSelector.parse(counter), null, 0, 1);
    }

    /**
     * The {@code q} quantile of a histogram from the increase of its {@code _bucket} series (the selector must name
     * them, for example {@code http_server_requests_seconds_bucket{uri!~"/actuator.*"}}); requests are the increase of
     * the {@code +Inf} bucket.
     */
    public static PrometheusQuery quantile(double q, String bucketSelector) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1), was " + q);
        }
        PrometheusSelector s = PrometheusSelector.parse(bucketSelector);
        if (!s.name().endsWith("_bucket")) {
            throw new IllegalArgumentException("quantile selector must name a _bucket series, was '" + bucketSelector + "'");
        }
        return new PrometheusQuery(Kind.QUANTILE, s, null, q, 1);
    }

    /** Increase of {@code sum} divided by increase of {@code count} (mean latency); requests are the count's increase. */
    public static PrometheusQuery mean(String sum, String count) {
        return new PrometheusQuery(Kind.MEAN, PrometheusSelector.parse(sum), PrometheusSelector.parse(count), 0, 1);
    }

    /** The mean of a gauge's current values; "requests" are the number of series read. */
    public static PrometheusQuery gauge(String gauge) {
        return new PrometheusQuery(Kind.GAUGE, PrometheusSelector.parse(gauge), null, 0, 1);
    }

    /** A copy whose values are multiplied by {@code factor} (1000 turns seconds into milliseconds). */
    public PrometheusQuery scaled(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("scale factor must be positive and finite, was " + factor);
        }
        return new PrometheusQuery(kind, first, second, quantile, scale * factor);
    }

    /** One target's part of a window. */
    public record Part(double num, double den, Map<Double, Double> buckets, long requests) {
    }

    /** One target's part of the window between two scrapes {@code seconds} apart. */
    public Part part(PrometheusText.Scrape base, PrometheusText.Scrape now, double seconds) {
        switch (kind) {
            case RATIO:
            case MEAN: {
                double den = increase(base, now, second);
                return new Part(increase(base, now, first), den, Map.of(), Math.round(den));
            }
            case RATE: {
                double inc = increase(base, now, first);
                return new Part(inc, seconds, Map.of(), Math.round(inc));
            }
            case QUANTILE: {
                Map<Double, Double> buckets = new TreeMap<>();
                Map<String, PrometheusText.Series> before = index(base, first);
                for (PrometheusText.Series s : now.select(first)) {
                    String le = s.label("le");
                    if (le == null || Double.isNaN(s.value())) {
                        continue;
                    }
                    double bound = PrometheusText.parseValue(le);
                    buckets.merge(bound, delta(before.get(key(s)), s), Double::sum);
                }
                double total = buckets.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
                return new Part(0, 0, buckets, Math.round(total));
            }
            default: {
                double sum = 0;
                int n = 0;
                for (PrometheusText.Series s : now.select(first)) {
                    if (!Double.isNaN(s.value())) {
                        sum += s.value();
                        n++;
                    }
                }
                return new Part(sum, n, Map.of(), n);
            }
        }
    }

    /** The value of one part (one target). */
    public double value(Part p) {
        if (kind == Kind.QUANTILE) {
            return scale * quantileOf(p.buckets());
        }
        return p.den() > 0 ? scale * p.num() / p.den() : Double.NaN;
    }

    /** The value over several parts (all targets). */
    public double aggregate(List<Part> parts) {
        switch (kind) {
            case RATE: {
                double sum = 0;
                for (Part p : parts) {
                    sum += p.den() > 0 ? p.num() / p.den() : 0;
                }
                return scale * sum;
            }
            case QUANTILE: {
                Map<Double, Double> all = new TreeMap<>();
                for (Part p : parts) {
                    p.buckets().forEach((k, v) -> all.merge(k, v, Double::sum));
                }
                return scale * quantileOf(all);
            }
            default: {
                double num = 0;
                double den = 0;
                for (Part p : parts) {
                    num += p.num();
                    den += p.den();
                }
                return den > 0 ? scale * num / den : Double.NaN;
            }
        }
    }

    private double quantileOf(Map<Double, Double> buckets) {
        List<PrometheusText.Bucket> list = new ArrayList<>();
        buckets.forEach((k, v) -> list.add(new PrometheusText.Bucket(k, v)));
        return PrometheusText.histogramQuantile(quantile, list);
    }

    private static double increase(PrometheusText.Scrape base, PrometheusText.Scrape now, PrometheusSelector sel) {
        Map<String, PrometheusText.Series> before = index(base, sel);
        double sum = 0;
        for (PrometheusText.Series s : now.select(sel)) {
            if (!Double.isNaN(s.value())) {
                sum += delta(before.get(key(s)), s);
            }
        }
        return sum;
    }

    private static double delta(PrometheusText.Series before, PrometheusText.Series now) {
        if (before == null || Double.isNaN(before.value())) {
            return now.value();
        }
        return now.value() >= before.value() ? now.value() - before.value() : now.value();
    }

    private static Map<String, PrometheusText.Series> index(PrometheusText.Scrape scrape, PrometheusSelector sel) {
        Map<String, PrometheusText.Series> out = new HashMap<>();
        for (PrometheusText.Series s : scrape.select(sel)) {
            out.put(key(s), s);
        }
        return out;
    }

    private static String key(PrometheusText.Series s) {
        return s.name() + s.labels();
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "(" + (kind == Kind.QUANTILE ? quantile + ", " : "") + first
                + (second == null ? "" : ", " + second) + (scale == 1 ? "" : ") * " + scale) + (scale == 1 ? ")" : "");
    }
}
