package dev.zdd.api;

import java.time.Instant;

/**
 * Wall time and monotonic time. Every timestamp and duration measurement in zdd goes through a Clock, so that tests can
 * substitute the test kit's virtual clock.
 *
 * <p>Implementations are thread-safe.
 */
public interface Clock {
    /** Wall-clock time, for timestamps people read. */
    Instant now();

    /** Monotonic nanoseconds from an arbitrary origin, for measuring durations. */
    long nanoTime();

    /** The system clock: {@link Instant#now()} and {@link System#nanoTime()}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}

/** The system clock. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
