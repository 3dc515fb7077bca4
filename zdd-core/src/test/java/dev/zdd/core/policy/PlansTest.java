package dev.zdd.core.policy;

import dev.zdd.api.Plan;
import dev.zdd.api.Step;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlansTest {
    static final Step LAUNCH = new Step.Launch("g1", "2.0", Map.of());
    static final Step AWAIT = new Step.AwaitHealthy(List.of("g1"));
    static final Step SHIFT10 = Step.ShiftTraffic.of("10%", List.of(Step.Allocation.active("g1", 1000), Step.Allocation.active("b1", 9000)));
    static final Step PAUSE = new Step.Pause(Duration.ofMinutes(1));
    static final Step SHIFT100 = Step.ShiftTraffic.of("100%", List.of(Step.Allocation.active("g1", 10000), Step.Allocation.draining("b1")));
    static final Step DRAIN = new Step.Drain(List.of("b1"), Duration.ofSeconds(5));
    static final Step RETIRE = new Step.Retire(List.of("b1"), Duration.ofSeconds(5));
    static final Step BEFORE = new Step.Hook("before");
    static final Step AFTER = new Step.Hook("after");
    static final Step DONE = new Step.Hook("done");

    @Test
    void hooksGoAroundEveryShiftAndCompletionBeforeTheOldTargetsAreRetired() {
        Plan p = new Plan("canary", List.of(LAUNCH, AWAIT, SHIFT10, PAUSE, SHIFT100, DRAIN, RETIRE));
        Plan h = Plans.withHooks(p, "before", "after", "done");
        assertEquals(List.of(LAUNCH, AWAIT, BEFORE, SHIFT10, AFTER, PAUSE, BEFORE, SHIFT100, AFTER, DRAIN, DONE, RETIRE), h.steps());
        assertEquals("canary", h.strategy());
    }

    @Test
    void withoutRetirementCompletionIsTheLastStepAndNullNamesInsertNothing() {
        Plan p = new Plan("blue-green", List.of(SHIFT100));
        assertEquals(List.of(SHIFT100, DONE), Plans.withHooks(p, null, null, "done").steps());
        assertEquals(List.of(BEFORE, SHIFT100), Plans.withHooks(p, "before", null, null).steps());
        assertEquals(p, Plans.withHooks(p, null, null, null));
        // a Retire before the last shift (rolling batches) does not count as "after completion"
        Plan rolling = new Plan("rolling", List.of(SHIFT10, RETIRE, SHIFT100));
        assertEquals(List.of(SHIFT10, RETIRE, SHIFT100, DONE), Plans.withHooks(rolling, null, null, "done").steps());
    }

    @Test
    void badNamesAreRejected() {
        Plan p = new Plan("x", List.of(SHIFT100));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Plans.withHooks(p, "a b", null, null)).getMessage()
                .contains("hook.name 'a b'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Plans.withHooks(null, "a", null, null)).getMessage()
                .contains("plan"));
        DeployWindowPolicyTest.badInputs += 2;
    }
}
