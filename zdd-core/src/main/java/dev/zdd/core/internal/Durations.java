package dev.zdd.core.internal;

import java.time.Duration;

/**
 * Duration arithmetic that saturates instead of overflowing: a user may pass {@code ChronoUnit.FOREVER.getDuration()}
 * as a grace, a pause or a deadline, and the engine must then wait "forever" rather than fail on an
 * {@link ArithmeticException}. Stateless; thread-safe. Internal.
 */
public final class Durations {
    /** The longest duration: what every sum saturates to. */
    public static final Duration MAX = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    private Durations() {
    }

    /** {@code a + b}, or {@link #MAX} when that overflows. Both must not be negative. */
    public static Duration plus(Duration a, Duration b) {
        try {
            return a.plus(b);
        } catch (ArithmeticException e) {
            return MAX;
        }
    }

    /** {@code d} in nanoseconds, at most {@code Long.MAX_VALUE / 4} (a negative duration is 0). */
    public static long nanos(Duration d) {
        return SystemScheduler.saturatedNanos(d);
    }

    /** {@code d} in milliseconds, saturated like {@link #nanos}. */
    public static long millis(Duration d) {
        return nanos(d) / 1_000_000L;
    }
}
