package dev.zdd.examples.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Percentiles of latency samples, rounded for reports. */
public final class Stats {
    private Stats() {
    }

    /** The nearest-rank percentile {@code p} (0-100) of {@code samples}; NaN when empty. */
    public static double percentile(Collection<Double> samples, double p) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** {@code {p50, p99, max, count}} of samples in milliseconds, rounded to 0.01 ms. */
    public static Map<String, Object> summary(Collection<Double> millis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", round(percentile(millis, 50)));
        m.put("p99", round(percentile(millis, 99)));
        m.put("max", round(percentile(millis, 100)));
        m.put("count", millis.size());
        return m;
    }

    /** Rounds to two decimals; NaN stays NaN (written as null by callers that care). */
    public static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 100.0) / 100.0;
    }

    /** {@code a / b} rounded to 0.001, or NaN when b is 0. */
    public static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : Math.round(a / b * 1000.0) / 1000.0;
    }
}
