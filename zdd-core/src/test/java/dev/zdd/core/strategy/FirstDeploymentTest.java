package dev.zdd.core.strategy;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.zdd.core.strategy.Fixtures.FULL;
import static dev.zdd.core.strategy.Fixtures.ctx;
import static dev.zdd.core.strategy.Fixtures.launching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every strategy brings up a service from nothing (empty routing). */
class FirstDeploymentTest {
    private static Step.ShiftTraffic lastShift(Plan plan) {
        Step.ShiftTraffic last = null;
        for (Step s : plan.steps()) {
            if (s instanceof Step.ShiftTraffic t) {
                last = t;
            }
        }
        return last;
    }

    @Test
    void canaryStartsOneInstanceAndRoutesEverythingToIt() {
        Plan plan = Canary.builder().weight(5).pause(java.time.Duration.ofMinutes(5)).check("errors").weight(50).build()
                .plan(launching(Routing.EMPTY));
        assertEquals(List.of(PlanSupport.launch("svc-v2-1", Fixtures.spec(), Map.of()),
                new Step.AwaitHealthy(List.of("svc-v2-1"))), plan.steps().subList(0, 2));
        assertEquals(3, plan.steps().size(), plan.render());
        assertEquals("first deployment", lastShift(plan).label());
        assertEquals(List.of(Step.Allocation.active("svc-v2-1", Routing.MAX_WEIGHT)), lastShift(plan).allocations());
    }

    @Test
    void rollingStartsSpecInstancesOrOne() {
        Plan one = Rolling.builder().build().plan(launching(Routing.EMPTY));
        assertEquals(1, one.steps().stream().filter(s -> s instanceof Step.Launch).count(), one.render());
        DeploymentSpec three = DeploymentSpec.builder("svc", "v2").instances(3).build();
        Plan plan = Rolling.builder().batchSize(1).build().plan(ctx(three, Routing.EMPTY, FULL, true));
        assertEquals(3, plan.steps().stream().filter(s -> s instanceof Step.Launch).count(), plan.render());
        assertEquals(3, lastShift(plan).allocations().stream().filter(a -> a.weight() > 0).count(), plan.render());
        assertTrue(plan.steps().stream().noneMatch(s -> s instanceof Step.Retire || s instanceof Step.Drain));
    }

    @Test
    void blueGreenWithoutAnInitialColourStartsBlue() {
        Plan plan = BlueGreen.defaults().plan(launching(Routing.EMPTY));
        Step.Launch launch = (Step.Launch) plan.steps().get(0);
        assertEquals("svc-blue-1", launch.targetId());
        assertEquals("blue", launch.attributes().get(Target.COLOUR));
        assertEquals(List.of(Step.Allocation.active("svc-blue-1", Routing.MAX_WEIGHT)), lastShift(plan).allocations());
    }

    @Test
    void givenTargetsAreTakenAsTheyAre() {
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2")
                .targets(Target.of("a", "v2", "127.0.0.1", 9001), Target.of("b", "v2", "127.0.0.1", 9002)).build();
        for (Strategy s : List.<Strategy>of(Canary.builder().weight(10).build(), Rolling.builder().build())) {
            Plan plan = s.plan(ctx(spec, Routing.EMPTY, FULL, false));
            assertTrue(plan.steps().stream().noneMatch(x -> x instanceof Step.Launch), plan.render());
            assertEquals(List.of(Step.Allocation.active("a", 5000), Step.Allocation.active("b", 5000)),
                    lastShift(plan).allocations(), plan.render());
        }
    }
}
