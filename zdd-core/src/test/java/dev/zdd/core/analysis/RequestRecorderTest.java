package dev.zdd.core.analysis;

import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestRecorderTest {
    final ManualClock clock = new ManualClock();
    final RequestRecorder recorder = new RequestRecorder();
    final Target a = Target.of("a", "v2", "127.0.0.1", 1001);
    final Target b = Target.of("b", "v2", "127.0.0.1", 1002);

    MetricSample read(String metric, List<Target> targets, Duration window) {
        return recorder.read(new MetricQuery(metric, targets, window, clock));
    }

    @Test
    void windowsCountOnlyWhatHappenedInThem() {
        for (int i = 0; i < 50; i++) {
            recorder.record("a", Duration.ofMillis(10), false);
        }
        MetricSample first = read(StandardMetrics.ERROR_RATE, List.of(a, b), Duration.ofMinutes(1));
        assertFalse(first.hasData());
        assertTrue(first.note().contains("window starts now"), first.note());
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 100; i++) {
            recorder.record("a", Duration.ofMillis(10 + i), i < 2);
            recorder.record("b", Duration.ofMillis(20), i < 6);
        }
        MetricSample err = read(StandardMetrics.ERROR_RATE, List.of(a, b), Duration.ofMinutes(1));
        assertEquals(200, err.requests());
        assertEquals(8 / 200.0, err.value(), 1e-12);
        assertEquals(List.of(0.02, 0.06), err.values());
        MetricSample rate = read(StandardMetrics.REQUEST_RATE, List.of(a, b), Duration.ofMinutes(1));
        assertEquals(200 / 60.0, rate.value(), 1e-9);
        MetricSample p99a = read(StandardMetrics.LATENCY_P99, List.of(a), Duration.ofMinutes(1));
        // latencies 10..109 ms: p99 ~ 108-109 ms; the histogram's buckets are 10% wide
        assertEquals(108.5, p99a.value(), 108.5 * 0.1);
        MetricSample mean = read(StandardMetrics.LATENCY_MEAN, List.of(a), Duration.ofMinutes(1));
        assertEquals(59.5, mean.value(), 1e-9);

        clock.advance(Duration.ofMinutes(1));
        MetricSample idle = read(StandardMetrics.ERROR_RATE, List.of(a, b), Duration.ofMinutes(1));
        assertEquals(0, idle.requests());
        assertFalse(idle.hasData(), "a window without traffic has no data");
        assertEquals("no requests in the window", idle.note());
    }

    @Test
    void aShorterHistoryGivesAPartialWindow() {
        read(StandardMetrics.ERROR_RATE, List.of(a), Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(20));
        recorder.record("a", Duration.ofMillis(5), true);
        MetricSample s = read(StandardMetrics.ERROR_RATE, List.of(a), Duration.ofMinutes(1));
        assertEquals(Duration.ofSeconds(20), s.window());
        assertEquals(1.0, s.value());
    }

    @Test
    void rejectsUnknownMetricsAndBadRecords() {
        assertThrows(IllegalArgumentException.class, () -> read("cpu", List.of(a), Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> recorder.record("a", Duration.ofMillis(-1), false));
        assertThrows(IllegalArgumentException.class, () -> recorder.record("", 1, false));
        assertEquals("latency-p99.9", StandardMetrics.latency(0.999));
        assertEquals(0.999, StandardMetrics.latencyQuantile("latency-p99.9"), 1e-12);
        assertTrue(Double.isNaN(StandardMetrics.latencyQuantile("latency-pX")));
    }
}
