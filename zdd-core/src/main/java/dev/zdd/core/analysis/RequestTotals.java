package dev.zdd.core.analysis;

import dev.zdd.core.analysis.internal.PrometheusText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cumulative request counters of one target: requests, errors, total latency and a latency histogram over
 * {@link #BOUNDS_MILLIS}. A {@link RequestMetricSource} turns two of them (start and end of a window) into
 * {@link StandardMetrics}.
 *
 * <p>Immutable; thread-safe.
 *
 * @param requests       requests counted so far
 * @param errors         failed requests among them
 * @param latencyNanos   sum of latencies in nanoseconds
 * @param latencyBuckets count per latency bucket (not cumulative): index {@code i} counts latencies at most
 *                       {@code BOUNDS_MILLIS[i]} and above the bound before; the last index counts the rest; either
 *                       empty (no latencies known) or {@code BOUNDS_MILLIS.length + 1} long
 */
public record RequestTotals(long requests, long errors, long latencyNanos, long[] latencyBuckets) {
    /** Upper bounds of the latency buckets in milliseconds: 0.01 ms times powers of 1.1 up to about 16 minutes. */
    public static final double[] BOUNDS_MILLIS = bounds();

    /** No requests yet. */
    public static final RequestTotals ZERO = new RequestTotals(0, 0, 0, new long[0]);

    /** Validates and copies. */
    public RequestTotals {
        if (requests < 0 || errors < 0 || errors > requests || latencyNanos < 0) {
            throw new IllegalArgumentException("requestTotals must have 0 <= errors <= requests and latencyNanos >= 0, was requests="
                    + requests + " errors=" + errors + " latencyNanos=" + latencyNanos);
        }
        latencyBuckets = latencyBuckets == null ? new long[0] : latencyBuckets.clone();
        if (latencyBuckets.length != 0 && latencyBuckets.length != BOUNDS_MILLIS.length + 1) {
            throw new IllegalArgumentException("requestTotals.latencyBuckets must have 0 or " + (BOUNDS_MILLIS.length + 1)
                    + " entries, had " + latencyBuckets.length);
        }
    }

    /** Index of the bucket that counts a latency of {@code millis}. */
    public static int bucketOf(double millis) {
        int i = Arrays.binarySearch(BOUNDS_MILLIS, millis);
        return i >= 0 ? i : -i - 1;
    }

    @Override
    public long[] latencyBuckets() {
        return latencyBuckets.clone();
    }

    /** What was counted between {@code earlier} and this (counters that went down count from zero: a restart). */
    public RequestTotals since(RequestTotals earlier) {
        if (requests < earlier.requests || errors < earlier.errors) {
            return this;
        }
        long[] b = new long[latencyBuckets.length];
        for (int i = 0; i < b.length; i++) {
            long before = earlier.latencyBuckets.length == b.length ? earlier.latencyBuckets[i] : 0;
            b[i] = Math.max(0, latencyBuckets[i] - before);
        }
        return new RequestTotals(requests - earlier.requests, errors - earlier.errors,
                Math.max(0, latencyNanos - earlier.latencyNanos), b);
    }

    /** The sum of two totals (for aggregating targets). */
    public RequestTotals plus(RequestTotals o) {
        long[] b;
        if (latencyBuckets.length == 0) {
            b = o.latencyBuckets;
        } else if (o.latencyBuckets.length == 0) {
            b = latencyBuckets;
        } else {
            b = new long[latencyBuckets.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = latencyBuckets[i] + o.latencyBuckets[i];
            }
        }
        return new RequestTotals(requests + o.requests, errors + o.errors, latencyNanos + o.latencyNanos, b);
    }

    /** The {@code q} latency quantile in milliseconds from the histogram, or NaN without latencies. */
    public double latencyQuantileMillis(double q) {
        if (latencyBuckets.length == 0) {
            return Double.NaN;
        }
        List<PrometheusText.Bucket> cumulative = new ArrayList<>(latencyBuckets.length);
        long sum = 0;
        for (int i = 0; i < latencyBuckets.length; i++) {
            sum += latencyBuckets[i];
            double bound = i < BOUNDS_MILLIS.length ? BOUNDS_MILLIS[i] : Double.POSITIVE_INFINITY;
            cumulative.add(new PrometheusText.Bucket(bound, sum));
        }
        return PrometheusText.histogramQuantile(q, cumulative);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestTotals r && r.requests == requests && r.errors == errors && r.latencyNanos == latencyNanos
                && Arrays.equals(r.latencyBuckets, latencyBuckets);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(requests) * 31 + Long.hashCode(errors) * 17 + Arrays.hashCode(latencyBuckets);
    }

    @Override
    public String toString() {
        return "RequestTotals[requests=" + requests + ", errors=" + errors + ", latencyNanos=" + latencyNanos + "]";
    }

    private static double[] bounds() {
        List<Double> out = new ArrayList<>();
        for (double b = 0.01; b < 1_000_000; b *= 1.1) {
            out.add(b);
        }
        double[] a = new double[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }
}
