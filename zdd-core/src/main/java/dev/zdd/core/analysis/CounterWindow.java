package dev.zdd.core.analysis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;

/**
 * The recent readings of one cumulative source (counters of one target), so that a {@link MetricSource} can answer
 * "over the last window" from two readings: the one taken now and the newest one at least a window old. Sources built
 * on counters (the in-process router, Prometheus, HAProxy {@code show stat}) share it.
 *
 * <p>When no reading is a whole window old, {@link #base(long, Duration)} gives the oldest earlier one (a partial
 * window, which the sample reports); when there is no earlier reading at all, nothing: the first read of a target has
 * no window and must answer "no data".
 *
 * <p>Thread-safe (synchronized); readings must be added in time order.
 *
 * @param <T> the reading (an immutable snapshot of counters)
 */
public final class CounterWindow<T> {
    /** Default number of readings kept per target. */
    public static final int DEFAULT_MAX_READINGS = 256;

    /**
     * One reading.
     *
     * <p>Immutable; thread-safe.
     *
     * @param nanos the clock's {@link dev.zdd.api.Clock#nanoTime()} when it was taken
     * @param value the reading
     * @param <T>   type of the reading
     */
    public record Reading<T>(long nanos, T value) {
    }

    private final ArrayDeque<Reading<T>> readings = new ArrayDeque<>();
    private final int maxReadings;

    /** A window keeping {@link #DEFAULT_MAX_READINGS} readings. */
    public CounterWindow() {
        this(DEFAULT_MAX_READINGS);
    }

    /** A window keeping at most {@code maxReadings} readings (at least 2). */
    public CounterWindow(int maxReadings) {
        if (maxReadings < 2) {
            throw new IllegalArgumentException("maxReadings must be at least 2, was " + maxReadings);
        }
        this.maxReadings = maxReadings;
    }

    /** Adds a reading taken at {@code nanos}; a reading at the same instant as the newest replaces it. */
    public synchronized void add(long nanos, T value) {
        Reading<T> last = readings.peekLast();
        if (last != null && nanos - last.nanos() < 0) {
            throw new IllegalArgumentException("readings must be added in time order: " + nanos + " < " + last.nanos());
        }
        if (last != null && last.nanos() == nanos) {
            readings.pollLast();
        }
        readings.addLast(new Reading<>(nanos, value));
        while (readings.size() > maxReadings) {
            readings.pollFirst();
        }
    }

    /** The newest reading, if any. */
    public synchronized Optional<Reading<T>> latest() {
        return Optional.ofNullable(readings.peekLast());
    }

    /**
     * The reading a window ending at {@code nowNanos} starts from: the newest one at least {@code window} old; else the
     * oldest one taken before {@code nowNanos} (a partial window); else none.
     */
    public synchronized Optional<Reading<T>> base(long nowNanos, Duration window) {
        long w = window.toNanos();
        Reading<T> oldestEarlier = null;
        Iterator<Reading<T>> it = readings.descendingIterator();
        while (it.hasNext()) {
            Reading<T> r = it.next();
            long age = nowNanos - r.nanos();
            if (age >= w) {
                return Optional.of(r);
            }
            if (age > 0) {
                oldestEarlier = r;
            }
        }
        return Optional.ofNullable(oldestEarlier);
    }
}
