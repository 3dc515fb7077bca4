package dev.zdd.core.analysis;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.RouteState;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import dev.zdd.core.strategy.Canary;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WithBaselineTest {
    static final Target A = Target.of("shop-v1-1", "v1", "127.0.0.1", 9001);
    static final Target B = Target.of("shop-v1-2", "v1", "127.0.0.1", 9002);
    static final RouterCapabilities CAPS = new RouterCapabilities(Routing.MAX_WEIGHT, true, true, true, true);

    @Test
    void baselineGetsTheCanarysShareFromTheOldTargetsAndLeavesAtPromotion() {
        PlanContext ctx = new PlanContext(DeploymentSpec.builder("shop", "v2").build(), Routing.evenly(List.of(A, B)), CAPS, true);
        Plan plan = WithBaseline.around(Canary.builder().weight(10).weight(30).build()).plan(ctx);
        List<Step> s = plan.steps();
        assertEquals(new Step.Launch("shop-v1-baseline", "v1", Map.of("role", "baseline")), s.get(0));
        assertEquals(new Step.AwaitHealthy(List.of("shop-v1-baseline")), s.get(1));
        List<Step.ShiftTraffic> shifts = s.stream().filter(x -> x instanceof Step.ShiftTraffic).map(x -> (Step.ShiftTraffic) x).toList();
        assertEquals(List.of(Step.Allocation.active("shop-v2-1", 1000), Step.Allocation.active("shop-v1-baseline", 1000),
                Step.Allocation.active("shop-v1-1", 4000), Step.Allocation.active("shop-v1-2", 4000)), shifts.get(0).allocations());
        assertEquals(List.of(Step.Allocation.active("shop-v2-1", 3000), Step.Allocation.active("shop-v1-baseline", 3000),
                Step.Allocation.active("shop-v1-1", 2000), Step.Allocation.active("shop-v1-2", 2000)), shifts.get(1).allocations());
        // promotion: the baseline drains with the old targets; removal of the old ones removes it too
        assertTrue(shifts.get(2).allocations().contains(new Step.Allocation("shop-v1-baseline", 0, RouteState.DRAINING)),
                shifts.get(2).describe());
        assertTrue(shifts.get(3).allocations().stream().noneMatch(a -> a.targetId().equals("shop-v1-baseline")));
        assertEquals(new Step.Retire(List.of("shop-v1-baseline"), WithBaseline.DEFAULT_RETIRE_GRACE), s.get(s.size() - 1));
        for (Step.ShiftTraffic shift : shifts) {
            assertEquals(Routing.MAX_WEIGHT, shift.allocations().stream().mapToInt(Step.Allocation::weight).sum(), shift.describe());
        }
    }

    @Test
    void needsALauncherAndOneOldVersion() {
        WithBaseline w = WithBaseline.around(Canary.builder().weight(10).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.plan(
                new PlanContext(DeploymentSpec.builder("shop", "v2").targets(Target.of("n", "v2", "127.0.0.1", 9)).build(),
                        Routing.evenly(List.of(A, B)), CAPS, false)));
        assertTrue(e.getMessage().contains("launcher"), e.getMessage());
        Target c = Target.of("other", "v0", "127.0.0.1", 9003);
        e = assertThrows(IllegalArgumentException.class, () -> w.plan(
                new PlanContext(DeploymentSpec.builder("shop", "v2").build(), Routing.evenly(List.of(A, c)), CAPS, true)));
        assertTrue(e.getMessage().contains("exactly one serving version"), e.getMessage());
    }
}
