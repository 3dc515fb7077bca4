package dev.zdd.core.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Durations printed for people (issue 14: never {@code 1302936ns} or {@code 1s500377644ns}). */
class TextsTest {
    @Test
    void durationsReadLikeAPersonWouldWriteThem() {
        assertEquals("0s", Texts.duration(Duration.ZERO));
        assertEquals("250ms", Texts.duration(Duration.ofMillis(250)));
        assertEquals("1m30s", Texts.duration(Duration.ofSeconds(90)));
        assertEquals("1.3ms", Texts.duration(Duration.ofNanos(1_302_936)));
        assertEquals("40us", Texts.duration(Duration.ofNanos(40_123)));
        assertEquals("12ms", Texts.duration(Duration.ofNanos(12_400_000)));
        assertEquals("1s500ms", Texts.duration(Duration.ofNanos(1_500_377_644)));
        assertEquals("-2s", Texts.duration(Duration.ofSeconds(-2)));
        Texts.duration(ChronoUnit.FOREVER.getDuration()); // no overflow
    }
}
