package dev.zdd.haproxy.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class WeightsTest {
    @Test
    void scalesLargestTo256AndNeverRoundsNonZeroToZero() {
        assertArrayEquals(new int[] {256, 3}, Weights.scale(new int[] {9900, 100}, 256));
        assertArrayEquals(new int[] {28, 256}, Weights.scale(new int[] {1000, 9000}, 256));
        assertArrayEquals(new int[] {256, 256, 0}, Weights.scale(new int[] {5000, 5000, 0}, 256));
        assertArrayEquals(new int[] {256, 1}, Weights.scale(new int[] {10000, 1}, 256));
        assertArrayEquals(new int[] {0, 0}, Weights.scale(new int[] {0, 0}, 256));
    }

    @Test
    void basisPointsAddUpExactly() {
        assertArrayEquals(new int[] {9884, 116}, Weights.toBasisPoints(new int[] {256, 3}, 10000));
        assertArrayEquals(new int[] {3334, 3333, 3333, 0}, Weights.toBasisPoints(new int[] {1, 1, 1, 0}, 10000));
        assertArrayEquals(new int[] {0, 0}, Weights.toBasisPoints(new int[] {0, 0}, 10000));
    }

    @Test
    void stickyRangesGiveFirstVersionAGrowingPrefix() {
        Map<String, String> ten = Weights.stickyRanges(List.of(new Weights.Slice("g", "v2", 1000),
                new Weights.Slice("b", "v1", 9000)));
        assertEquals(Map.of("0:999", "g", "1000:9999", "b"), ten);
        Map<String, String> mixed = Weights.stickyRanges(List.of(new Weights.Slice("g1", "v2", 1500),
                new Weights.Slice("b1", "v1", 4000), new Weights.Slice("g2", "v2", 500), new Weights.Slice("b2", "v1", 4000)));
        assertEquals(List.of("0:1499", "1500:1999", "2000:5999", "6000:9999"), List.copyOf(mixed.keySet()));
        assertEquals(List.of("g1", "g2", "b1", "b2"), List.copyOf(mixed.values()));
        assertEquals(Map.of(), Weights.stickyRanges(List.of(new Weights.Slice("a", "v", 0))));
    }

    @Test
    void parsesRanges() {
        assertArrayEquals(new int[] {0, 99}, Weights.parseRange("0:99"));
        assertNull(Weights.parseRange("beta"));
        assertNull(Weights.parseRange("9:1"));
        assertNull(Weights.parseRange("a:b"));
    }
}
