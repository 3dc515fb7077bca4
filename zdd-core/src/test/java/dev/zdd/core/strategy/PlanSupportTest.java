package dev.zdd.core.strategy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PlanSupportTest {
    @Test
    void distributeAddsUpExactlyAndStaysWithinOneOfTheExactShare() {
        assertArrayEquals(new int[] {3333, 3333, 3334}, PlanSupport.distribute(10_000, new long[] {1, 1, 1}));
        assertArrayEquals(new int[] {7500, 2500}, PlanSupport.distribute(10_000, new long[] {3, 1}));
        assertArrayEquals(new int[] {0, 0}, PlanSupport.distribute(0, new long[] {3, 1}));
        assertArrayEquals(new int[] {0, 10_000}, PlanSupport.distribute(10_000, new long[] {0, 5}));
        long[] skewed = {1, 1_000_000, 1};
        assertArrayEquals(new int[] {1, 9999, 1}, PlanSupport.distribute(10_000, skewed));
    }

    @Test
    void moreTargetsThanWeightGiveEveryTargetWeightOne() {
        int[] w = PlanSupport.distribute(10_000, PlanSupport.ones(10_500));
        for (int x : w) {
            assertEquals(1, x);
        }
    }

    @Test
    void generatedIdsSkipTakenOnesAndStayShort() {
        assertEquals(List.of("svc-v2-2", "svc-v2-4"), PlanSupport.generateIds("svc-v2", 2, Set.of("svc-v2-1", "svc-v2-3")));
        String longPrefix = "p".repeat(70);
        List<String> ids = PlanSupport.generateIds(longPrefix, 10, Set.of());
        assertEquals("p".repeat(61) + "-1", ids.get(0));
        assertEquals("p".repeat(60) + "-10", ids.get(9));
    }

    @Test
    void percentagesPrintAsWritten() {
        assertEquals("12.5%", PlanSupport.pct(12.5));
        assertEquals("10%", PlanSupport.pct(10.0));
        assertEquals("0.01%", PlanSupport.bp(1));
        assertEquals("25%", PlanSupport.bp(2500));
    }
}
