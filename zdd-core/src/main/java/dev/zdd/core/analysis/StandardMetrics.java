package dev.zdd.core.analysis;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the metrics that every built-in {@link MetricSource} understands. Latencies are in milliseconds, rates
 * per second, error rates a fraction from 0 to 1.
 *
 * <p>Constants only; thread-safe.
 */
public final class StandardMetrics {
    /** Fraction of requests that failed (HTTP 5xx or a transport error) in the window, 0 to 1. */
    public static final String ERROR_RATE = "error-rate";
    /** Requests per second in the window. */
    public static final String REQUEST_RATE = "request-rate";
    /** Median latency in milliseconds. */
    public static final String LATENCY_P50 = "latency-p50";
    /** 90th percentile latency in milliseconds. */
    public static final String LATENCY_P90 = "latency-p90";
    /** 95th percentile latency in milliseconds. */
    public static final String LATENCY_P95 = "latency-p95";
    /** 99th percentile latency in milliseconds. */
    public static final String LATENCY_P99 = "latency-p99";
    /** Mean latency in milliseconds. */
    public static final String LATENCY_MEAN = "latency-mean";

    private static final Pattern LATENCY_Q = Pattern.compile("latency-p(\\d{1,2}(?:\\.\\d{1,3})?)");

    private StandardMetrics() {
    }

    /** The name of the latency quantile {@code q} (0 &lt; q &lt; 1), for example {@code latency-p99.9} for 0.999. */
    public static String latency(double q) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1), was " + q);
        }
        String pct = new java.math.BigDecimal(Double.toString(q * 100)).stripTrailingZeros().toPlainString();
        return "latency-p" + pct;
    }

    /**
     * The quantile (0 to 1) named by a {@code latency-pNN} metric, or {@code NaN} when {@code metric} is not one.
     */
    public static double latencyQuantile(String metric) {
        Matcher m = LATENCY_Q.matcher(metric.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Double.NaN;
        }
        double q = Double.parseDouble(m.group(1)) / 100.0;
        return q > 0 && q < 1 ? q : Double.NaN;
    }
}
