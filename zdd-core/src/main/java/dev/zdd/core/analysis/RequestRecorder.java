package dev.zdd.core.analysis;

import dev.zdd.api.Target;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts requests per target as the application (or a load generator, or a client that picks targets with the
 * in-process router) sees them: {@link #record(String, Duration, boolean)} after each request. It is a
 * {@link MetricSource} of the {@link StandardMetrics} over those counts.
 *
 * <p>Thread-safe and lock-free on the recording path.
 */
public final class RequestRecorder implements MetricSource {
    private final Map<String, Counters> byTarget = new ConcurrentHashMap<>();
    private final RequestMetricSource source = RequestMetricSource.of(t -> totals(t.id()));

    /** An empty recorder. */
    public RequestRecorder() {
    }

    /** Records one request to {@code targetId} that took {@code latency} and failed when {@code error}. */
    public void record(String targetId, Duration latency, boolean error) {
        if (latency == null || latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be null or negative, was " + latency);
        }
        record(targetId, latency.toNanos(), error);
    }

    /** Records one request to {@code targetId} that took {@code latencyNanos} and failed when {@code error}. */
    public void record(String targetId, long latencyNanos, boolean error) {
        if (targetId == null || targetId.isEmpty()) {
            throw new IllegalArgumentException("targetId must not be empty, was '" + targetId + "'");
        }
        if (latencyNanos < 0) {
            throw new IllegalArgumentException("latencyNanos must not be negative, was " + latencyNanos);
        }
        byTarget.computeIfAbsent(targetId, k -> new Counters()).add(latencyNanos, error);
    }

    /** The cumulative totals of {@code targetId} ({@link RequestTotals#ZERO} when nothing was recorded). */
    public RequestTotals totals(String targetId) {
        Counters c = byTarget.get(targetId);
        return c == null ? RequestTotals.ZERO : c.snapshot();
    }

    /** The cumulative totals of a target. */
    public RequestTotals totals(Target target) {
        return totals(target.id());
    }

    @Override
    public MetricSample read(MetricQuery query) {
        return source.read(query);
    }

    private static final class Counters {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong latency = new AtomicLong();
        final AtomicLongArray buckets = new AtomicLongArray(RequestTotals.BOUNDS_MILLIS.length + 1);

        void add(long nanos, boolean error) {
            buckets.incrementAndGet(RequestTotals.bucketOf(nanos / 1e6));
            latency.addAndGet(nanos);
            if (error) {
                errors.incrementAndGet();
            }
            requests.incrementAndGet();
        }

        RequestTotals snapshot() {
            long r = requests.get();
            long e = Math.min(errors.get(), r);
            long[] b = new long[buckets.length()];
            for (int i = 0; i < b.length; i++) {
                b[i] = buckets.get(i);
            }
            return new RequestTotals(r, e, latency.get(), b);
        }
    }
}
