package dev.zdd.core.strategy;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.zdd.core.strategy.Fixtures.FULL;
import static dev.zdd.core.strategy.Fixtures.active;
import static dev.zdd.core.strategy.Fixtures.ctx;
import static dev.zdd.core.strategy.Fixtures.draining;
import static dev.zdd.core.strategy.Fixtures.evenOld;
import static dev.zdd.core.strategy.Fixtures.launch;
import static dev.zdd.core.strategy.Fixtures.launching;
import static dev.zdd.core.strategy.Fixtures.shift;
import static dev.zdd.core.strategy.Fixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RollingTest {
    private static final Duration DRAIN = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofSeconds(10);

    private static void fails(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }

    private static PlanContext10 sized(int instances) {
        return new PlanContext10(instances);
    }

    /** A launching context for {@code instances} new instances. */
    private record PlanContext10(int instances) {
        dev.zdd.api.PlanContext over(Routing current) {
            return ctx(DeploymentSpec.builder("svc", "v2").instances(instances).build(), current, FULL, true);
        }
    }

    @Test
    void startFirstOneByOne() {
        Plan plan = Rolling.builder().build().plan(launching(evenOld(2)));
        assertEquals("rolling", plan.strategy());
        assertEquals(List.of(
                launch("svc-v2-1"),
                new Step.AwaitHealthy(List.of("svc-v2-1")),
                shift("batch 1/2", active("svc-v2-1", 5000), active("old-2", 5000), draining("old-1")),
                new Step.Drain(List.of("old-1"), DRAIN),
                shift("batch 1/2 remove old", active("svc-v2-1", 5000), active("old-2", 5000)),
                new Step.Retire(List.of("old-1"), GRACE),
                launch("svc-v2-2"),
                new Step.AwaitHealthy(List.of("svc-v2-2")),
                shift("batch 2/2", active("svc-v2-1", 5000), active("svc-v2-2", 5000), draining("old-2")),
                new Step.Drain(List.of("old-2"), DRAIN),
                shift("batch 2/2 remove old", active("svc-v2-1", 5000), active("svc-v2-2", 5000)),
                new Step.Retire(List.of("old-2"), GRACE)), plan.steps());
    }

    @Test
    void stopFirstOneByOne() {
        Plan plan = Rolling.builder().stopFirst().drainTimeout(Duration.ofSeconds(3)).retireGrace(Duration.ofSeconds(1))
                .build().plan(launching(evenOld(2)));
        Duration d = Duration.ofSeconds(3);
        Duration g = Duration.ofSeconds(1);
        assertEquals(List.of(
                shift("batch 1/2 out", active("old-2", 10_000), draining("old-1")),
                new Step.Drain(List.of("old-1"), d),
                shift("batch 1/2 remove old", active("old-2", 10_000)),
                new Step.Retire(List.of("old-1"), g),
                launch("svc-v2-1"),
                new Step.AwaitHealthy(List.of("svc-v2-1")),
                shift("batch 1/2 in", active("svc-v2-1", 5000), active("old-2", 5000)),
                shift("batch 2/2 out", active("svc-v2-1", 10_000), draining("old-2")),
                new Step.Drain(List.of("old-2"), d),
                shift("batch 2/2 remove old", active("svc-v2-1", 10_000)),
                new Step.Retire(List.of("old-2"), g),
                launch("svc-v2-2"),
                new Step.AwaitHealthy(List.of("svc-v2-2")),
                shift("batch 2/2 in", active("svc-v2-1", 5000), active("svc-v2-2", 5000))), plan.steps());
    }

    @Test
    void inPlaceReplacesOldIByNewIWithoutLaunchingOrRetiring() {
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2")
                .targets(target("n1", "v2", 9101), target("n2", "v2", 9102)).build();
        Plan plan = Rolling.builder().maxSurge(0).build().plan(ctx(spec, evenOld(2), FULL, false));
        assertEquals(List.of(
                new Step.AwaitHealthy(List.of("n1")),
                shift("batch 1/2", active("n1", 5000), active("old-2", 5000), draining("old-1")),
                new Step.Drain(List.of("old-1"), DRAIN),
                shift("batch 1/2 remove old", active("n1", 5000), active("old-2", 5000)),
                new Step.AwaitHealthy(List.of("n2")),
                shift("batch 2/2", active("n1", 5000), active("n2", 5000), draining("old-2")),
                new Step.Drain(List.of("old-2"), DRAIN),
                shift("batch 2/2 remove old", active("n1", 5000), active("n2", 5000))), plan.steps());
    }

    @Test
    void routerWithoutDrainGetsDisabledTargets() {
        Plan plan = Rolling.builder().build().plan(ctx(Fixtures.spec(), evenOld(1),
                dev.zdd.api.RouterCapabilities.WEIGHTS_ONLY, true));
        assertEquals(shift("batch 1/1", active("svc-v2-1", 10_000), new Step.Allocation("old-1", 0, RouteState.DISABLED)),
                plan.steps().get(2));
    }

    @Test
    void newTargetsGetTheAverageOldWeight() {
        Routing uneven = Routing.of(Route.active(target("a", "v1", 9001), 7500), Route.active(target("b", "v1", 9002), 2500));
        Plan plan = Rolling.builder().build().plan(launching(uneven));
        assertEquals(shift("batch 1/2", active("svc-v2-1", 6666), active("b", 3334), draining("a")), plan.steps().get(2));
    }

    @Test
    void batchArithmetic() {
        assertEquals(1, Rolling.builder().build().batchSize(10));
        assertEquals(4, Rolling.builder().batchSize(4).build().batchSize(10));
        assertEquals(3, Rolling.builder().batchPercent(25).build().batchSize(10));
        assertEquals(1, Rolling.builder().batchPercent(1).build().batchSize(10));
        assertEquals(500, Rolling.builder().batchPercent(5).build().batchSize(10_000));
        assertEquals(10, Rolling.builder().batchPercent(100).build().batchSize(10));
        assertEquals(2, Rolling.builder().maxSurge(2).build().batchSize(10));
        assertEquals(3, Rolling.builder().maxSurgePercent(25).build().batchSize(10));
        assertEquals(2, Rolling.builder().stopFirst().maxUnavailablePercent(25).build().batchSize(10));
        assertEquals(1, Rolling.builder().stopFirst().maxUnavailablePercent(5).build().batchSize(10));
        assertEquals(1, Rolling.builder().stopFirst().maxSurge(5).build().batchSize(10));
    }

    @Test
    void batchesOfThreeOverTen() {
        Plan plan = Rolling.builder().batchPercent(25).build().plan(launching(evenOld(10)));
        List<Step.ShiftTraffic> shifts = shifts(plan);
        assertEquals(8, shifts.size());
        assertEquals(List.of("batch 1/4", "batch 1/4 remove old", "batch 2/4", "batch 2/4 remove old", "batch 3/4",
                "batch 3/4 remove old", "batch 4/4", "batch 4/4 remove old"), shifts.stream().map(Step.ShiftTraffic::label).toList());
        Step.ShiftTraffic last = shifts.get(6);
        assertEquals(List.of(active("svc-v2-1", 1000), active("svc-v2-2", 1000), active("svc-v2-3", 1000),
                active("svc-v2-4", 1000), active("svc-v2-5", 1000), active("svc-v2-6", 1000), active("svc-v2-7", 1000),
                active("svc-v2-8", 1000), active("svc-v2-9", 1000), active("svc-v2-10", 1000), draining("old-10")),
                last.allocations());
        assertEquals(new Step.Retire(List.of("old-10"), GRACE), plan.steps().get(plan.steps().size() - 1));
        long launches = plan.steps().stream().filter(s -> s instanceof Step.Launch).count();
        assertEquals(10, launches);
    }

    @Test
    void scaleUpAndScaleDown() {
        Plan up = Rolling.builder().batchSize(2).maxSurge(2).build().plan(sized(4).over(evenOld(2)));
        assertEquals(List.of(
                launch("svc-v2-1"), launch("svc-v2-2"),
                new Step.AwaitHealthy(List.of("svc-v2-1", "svc-v2-2")),
                shift("batch 1/2", active("svc-v2-1", 5000), active("svc-v2-2", 5000), draining("old-1"), draining("old-2")),
                new Step.Drain(List.of("old-1", "old-2"), DRAIN),
                shift("batch 1/2 remove old", active("svc-v2-1", 5000), active("svc-v2-2", 5000)),
                new Step.Retire(List.of("old-1", "old-2"), GRACE),
                launch("svc-v2-3"), launch("svc-v2-4"),
                new Step.AwaitHealthy(List.of("svc-v2-3", "svc-v2-4")),
                shift("batch 2/2", active("svc-v2-1", 2500), active("svc-v2-2", 2500), active("svc-v2-3", 2500),
                        active("svc-v2-4", 2500))), up.steps());
        Plan down = Rolling.builder().build().plan(sized(1).over(evenOld(2)));
        assertEquals(List.of(
                launch("svc-v2-1"),
                new Step.AwaitHealthy(List.of("svc-v2-1")),
                shift("batch 1/2", active("svc-v2-1", 5000), active("old-2", 5000), draining("old-1")),
                new Step.Drain(List.of("old-1"), DRAIN),
                shift("batch 1/2 remove old", active("svc-v2-1", 5000), active("old-2", 5000)),
                new Step.Retire(List.of("old-1"), GRACE),
                shift("batch 2/2", active("svc-v2-1", 10_000), draining("old-2")),
                new Step.Drain(List.of("old-2"), DRAIN),
                shift("batch 2/2 remove old", active("svc-v2-1", 10_000)),
                new Step.Retire(List.of("old-2"), GRACE)), down.steps());
    }

    @Test
    void firstDeploymentWithNothingServing() {
        Plan plan = Rolling.builder().batchSize(2).minHealthyPercent(100).build().plan(sized(3).over(Routing.EMPTY));
        assertEquals(List.of(
                launch("svc-v2-1"), launch("svc-v2-2"),
                new Step.AwaitHealthy(List.of("svc-v2-1", "svc-v2-2")),
                shift("batch 1/2", active("svc-v2-1", 5000), active("svc-v2-2", 5000)),
                launch("svc-v2-3"),
                new Step.AwaitHealthy(List.of("svc-v2-3")),
                shift("batch 2/2", active("svc-v2-1", 3333), active("svc-v2-2", 3333), active("svc-v2-3", 3334))),
                plan.steps());
    }

    @Test
    void pauseCheckAndGateBetweenBatchesOnly() {
        Plan plan = Rolling.builder().pauseBetweenBatches(Duration.ofMinutes(1)).checkBetweenBatches("errors")
                .gateBetweenBatches("ok", Duration.ofHours(1)).build().plan(launching(evenOld(3)));
        List<Step> s = plan.steps();
        assertEquals(6 * 3 + 3 * 2, s.size());
        for (int batch = 0; batch < 2; batch++) {
            int end = batch * 9 + 6;
            assertEquals(new Step.Retire(List.of("old-" + (batch + 1)), GRACE), s.get(end - 1));
            assertEquals(new Step.Pause(Duration.ofMinutes(1)), s.get(end));
            assertEquals(new Step.Check("errors"), s.get(end + 1));
            assertEquals(new Step.Gate("ok", Duration.ofHours(1)), s.get(end + 2));
        }
        assertEquals(new Step.Retire(List.of("old-3"), GRACE), s.get(s.size() - 1));
    }

    @Test
    void limitsAreValidatedPerBatch() {
        fails("rolling batch 1 of 4 runs 13 instances, 3 above the 10 desired, more than rolling.maxSurge 2 (2)",
                () -> Rolling.builder().batchSize(3).maxSurge(2).build().plan(launching(evenOld(10))));
        fails("rolling batch 1 of 4 runs 13 instances, 3 above the 10 desired, more than rolling.maxSurge 20% (2)",
                () -> Rolling.builder().batchSize(3).maxSurgePercent(20).build().plan(launching(evenOld(10))));
        fails("rolling batch 1 of 10 runs 11 instances, 1 above the 10 desired, more than rolling.maxSurge 0 (0)",
                () -> Rolling.builder().maxSurge(0).build().plan(launching(evenOld(10))));
        fails("rolling batch 1 of 4 leaves 7 of 10 targets serving, 3 unavailable, more than rolling.maxUnavailable 2 (2)",
                () -> Rolling.builder().stopFirst().batchSize(3).maxUnavailable(2).build().plan(launching(evenOld(10))));
        fails("rolling batch 1 of 10 leaves 9 of 10 targets serving, 1 unavailable, more than rolling.maxUnavailable 5% (0)",
                () -> Rolling.builder().stopFirst().maxUnavailablePercent(5).build().plan(launching(evenOld(10))));
        fails("rolling batch 1 of 5 leaves 8 of 10 targets serving (80%), below rolling.minHealthyPercent 90%",
                () -> Rolling.builder().stopFirst().batchSize(2).minHealthyPercent(90).build().plan(launching(evenOld(10))));
        fails("rolling batch 1 of 1 would leave no target serving",
                () -> Rolling.builder().stopFirst().build().plan(launching(evenOld(1))));
        // at the limits, plans are built
        Rolling.builder().stopFirst().batchSize(2).minHealthyPercent(80).maxUnavailable(2).build().plan(launching(evenOld(10)));
        Rolling.builder().batchSize(3).maxSurge(3).maxUnavailable(0).minHealthyPercent(100).build().plan(launching(evenOld(10)));
    }

    @Test
    void startFirstNeverGoesBelowFullCapacity() {
        Plan plan = Rolling.builder().batchSize(4).minHealthyPercent(100).build().plan(launching(evenOld(10)));
        for (Step.ShiftTraffic s : shifts(plan)) {
            long serving = s.allocations().stream().filter(a -> a.state() == RouteState.ACTIVE && a.weight() > 0).count();
            assertEquals(10, serving, s.describe());
        }
    }

    @Test
    void errors() {
        fails("rolling: spec.targets is empty and no launcher is available to start version 'v2'",
                () -> Rolling.builder().build().plan(ctx(Fixtures.spec(), evenOld(1), FULL, false)));
    }

    @Test
    void builderValidation() {
        fails("rolling.batchSize must be >= 1, was 0", () -> Rolling.builder().batchSize(0));
        fails("rolling.batchPercent must be in (0, 100], was 0%", () -> Rolling.builder().batchPercent(0));
        fails("rolling.batchPercent must be in (0, 100], was 150%", () -> Rolling.builder().batchPercent(150));
        fails("rolling.maxSurge must be >= 0, was -1", () -> Rolling.builder().maxSurge(-1));
        fails("rolling.maxUnavailable must be >= 0, was -2", () -> Rolling.builder().maxUnavailable(-2));
        fails("rolling.maxSurgePercent must be in [0, 100], was NaN%", () -> Rolling.builder().maxSurgePercent(Double.NaN));
        fails("rolling.maxUnavailablePercent must be in [0, 100], was 101%", () -> Rolling.builder().maxUnavailablePercent(101));
        fails("rolling.minHealthyPercent must be in [0, 100], was -5%", () -> Rolling.builder().minHealthyPercent(-5));
        fails("rolling.pauseBetweenBatches must be positive, was PT0S", () -> Rolling.builder().pauseBetweenBatches(Duration.ZERO));
        fails("rolling.gateBetweenBatches timeout must not be null", () -> Rolling.builder().gateBetweenBatches("ok", null));
        fails("rolling.drainTimeout must not be negative, was PT-1S", () -> Rolling.builder().drainTimeout(Duration.ofSeconds(-1)));
    }

    /** The benchmark of the brief: 10,000 targets in 5% batches. Prints the time; asserts only the plan. */
    @Test
    void tenThousandTargetsInFivePercentBatches() {
        Routing big = evenOld(10_000);
        for (Rolling rolling : List.of(Rolling.builder().batchPercent(5).build(),
                Rolling.builder().stopFirst().batchPercent(5).build())) {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            Plan plan = null;
            long bestWall = Long.MAX_VALUE;
            long bestCpu = Long.MAX_VALUE;
            for (int run = 0; run < 3; run++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                plan = rolling.plan(launching(big));
                bestWall = Math.min(bestWall, System.nanoTime() - t0);
                bestCpu = Math.min(bestCpu, mx.getCurrentThreadCpuTime() - c0);
            }
            System.out.printf("rolling benchmark %s: 10000 targets, 5%% batches: %d steps, best of 3: wall %.1f ms, "
                    + "thread CPU %.1f ms%n", rolling, plan.steps().size(), bestWall / 1e6, bestCpu / 1e6);
            assertEquals(20 * (500 + 5), plan.steps().size() - (rolling.toString().contains("stop-first") ? 20 : 0));
            for (Step.ShiftTraffic s : shifts(plan)) {
                int sum = s.allocations().stream().mapToInt(Step.Allocation::weight).sum();
                assertEquals(Routing.MAX_WEIGHT, sum, s.label());
            }
            assertTrue(plan.steps().get(plan.steps().size() - 1) instanceof Step.ShiftTraffic
                    || plan.steps().get(plan.steps().size() - 1) instanceof Step.Retire);
        }
    }

    private static List<Step.ShiftTraffic> shifts(Plan plan) {
        return plan.steps().stream().filter(s -> s instanceof Step.ShiftTraffic).map(s -> (Step.ShiftTraffic) s).toList();
    }
}
