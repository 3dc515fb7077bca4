package dev.zdd.core.analysis;

import dev.zdd.api.Clock;

import java.time.Duration;
import java.time.Instant;

/** A clock tests move by hand. Thread-safe enough for tests (volatile). */
final class ManualClock implements Clock {
    private volatile long nanos = 1_000_000_000L;
    private final Instant origin = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant now() {
        return origin.plusNanos(nanos);
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    void advance(Duration d) {
        nanos += d.toNanos();
    }
}
