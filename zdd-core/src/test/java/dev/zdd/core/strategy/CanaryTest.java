package dev.zdd.core.strategy;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
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
import static dev.zdd.core.strategy.Fixtures.spec;
import static dev.zdd.core.strategy.Fixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CanaryTest {
    private static void fails(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void weightsPausesChecksGateThenPromotion() {
        Canary canary = Canary.builder().weight(10).pause(Duration.ofMinutes(5)).check("errors").weight(50)
                .gate("ok", Duration.ofHours(1)).build();
        Plan plan = canary.plan(launching(evenOld(2)));
        assertEquals("canary", plan.strategy());
        assertEquals(List.of(
                launch("svc-v2-1"),
                new Step.AwaitHealthy(List.of("svc-v2-1")),
                shift("canary 10%", active("svc-v2-1", 1000), active("old-1", 4500), active("old-2", 4500)),
                new Step.Pause(Duration.ofMinutes(5)),
                new Step.Check("errors"),
                shift("canary 50%", active("svc-v2-1", 5000), active("old-1", 2500), active("old-2", 2500)),
                new Step.Gate("ok", Duration.ofHours(1)),
                launch("svc-v2-2"),
                new Step.AwaitHealthy(List.of("svc-v2-2")),
                shift("promote", active("svc-v2-1", 5000), active("svc-v2-2", 5000), draining("old-1"),
                        draining("old-2")),
                new Step.Drain(List.of("old-1", "old-2"), Duration.ofSeconds(30)),
                shift("remove old", active("svc-v2-1", 5000), active("svc-v2-2", 5000)),
                new Step.Retire(List.of("old-1", "old-2"), Duration.ofSeconds(10))), plan.steps());
    }

    @Test
    void oldTargetsKeepTheirProportionsAndFractionalPercentages() {
        Routing uneven = Routing.of(Route.active(target("a", "v1", 9001), 750), Route.active(target("b", "v1", 9002), 250));
        Plan plan = Canary.builder().weight(0.5).weight(12.25).hook("tell").weight(100).build().plan(launching(uneven));
        assertEquals(shift("canary 0.5%", active("svc-v2-1", 50), active("a", 7462), active("b", 2488)), plan.steps().get(2));
        assertEquals(shift("canary 12.25%", active("svc-v2-1", 1225), active("a", 6581), active("b", 2194)),
                plan.steps().get(3));
        assertEquals(new Step.Hook("tell"), plan.steps().get(4));
        assertEquals(shift("canary 100%", active("svc-v2-1", 10_000), active("a", 0), active("b", 0)), plan.steps().get(5));
    }

    @Test
    void stickyCanaryListsNewVersionFirstAndPromotesWithoutStickiness() {
        RequestKey user = RequestKey.cookie("user");
        Plan plan = Canary.builder().stickyOn(user).instances(2).weight(20).build().plan(launching(evenOld(2)));
        assertEquals(List.of(launch("svc-v2-1"), launch("svc-v2-2"), new Step.AwaitHealthy(List.of("svc-v2-1", "svc-v2-2"))),
                plan.steps().subList(0, 3));
        Step.ShiftTraffic canary = (Step.ShiftTraffic) plan.steps().get(3);
        assertEquals(new Step.ShiftTraffic("canary 20%", List.of(active("svc-v2-1", 1000), active("svc-v2-2", 1000),
                active("old-1", 4000), active("old-2", 4000)), Stickiness.on(user), List.of()), canary);
        Step.ShiftTraffic promote = (Step.ShiftTraffic) plan.steps().get(4);
        assertEquals("promote", promote.label());
        assertNull(promote.stickiness());
    }

    @Test
    void stickyErrors() {
        Canary sticky = Canary.builder().stickyOn(RequestKey.header("X-User")).weight(10).build();
        fails("canary.stickyOn header:X-User: the router does not support stickiness (capabilities.stickiness is false)",
                () -> sticky.plan(ctx(spec(), evenOld(2), RouterCapabilities.WEIGHTS_ONLY, true)));
        fails("canary.stickyOn header:X-User needs spec.version 'v1' to differ from the serving version",
                () -> sticky.plan(ctx(DeploymentSpec.builder("svc", "v1").build(), evenOld(2), FULL, true)));
    }

    @Test
    void serversStepsLaunchAsNeededWithEqualPerServerWeights() {
        Plan plan = Canary.builder().servers(1).pause(Duration.ofMinutes(1)).servers(2).build().plan(launching(evenOld(4)));
        assertEquals(List.of(
                launch("svc-v2-1"),
                new Step.AwaitHealthy(List.of("svc-v2-1")),
                shift("canary 1 of 4 servers (25%)", active("svc-v2-1", 2500), active("old-1", 1875),
                        active("old-2", 1875), active("old-3", 1875), active("old-4", 1875)),
                new Step.Pause(Duration.ofMinutes(1)),
                launch("svc-v2-2"),
                new Step.AwaitHealthy(List.of("svc-v2-2")),
                shift("canary 2 of 4 servers (50%)", active("svc-v2-1", 2500), active("svc-v2-2", 2500),
                        active("old-1", 1250), active("old-2", 1250), active("old-3", 1250), active("old-4", 1250)),
                launch("svc-v2-3"),
                launch("svc-v2-4"),
                new Step.AwaitHealthy(List.of("svc-v2-3", "svc-v2-4")),
                shift("promote", active("svc-v2-1", 2500), active("svc-v2-2", 2500), active("svc-v2-3", 2500),
                        active("svc-v2-4", 2500), draining("old-1"), draining("old-2"), draining("old-3"),
                        draining("old-4")),
                new Step.Drain(List.of("old-1", "old-2", "old-3", "old-4"), Duration.ofSeconds(30)),
                shift("remove old", active("svc-v2-1", 2500), active("svc-v2-2", 2500), active("svc-v2-3", 2500),
                        active("svc-v2-4", 2500)),
                new Step.Retire(List.of("old-1", "old-2", "old-3", "old-4"), Duration.ofSeconds(10))), plan.steps());
    }

    @Test
    void givenTargetsWithoutLauncherAreHealthCheckedNotLaunchedAndOldIsNotRetired() {
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2")
                .targets(target("n1", "v2", 9101), target("n2", "v2", 9102)).build();
        Plan plan = Canary.builder().weight(25).drainTimeout(Duration.ofSeconds(2)).build()
                .plan(ctx(spec, evenOld(1), FULL, false));
        assertEquals(List.of(
                new Step.AwaitHealthy(List.of("n1")),
                shift("canary 25%", active("n1", 2500), active("old-1", 7500)),
                new Step.AwaitHealthy(List.of("n2")),
                shift("promote", active("n1", 5000), active("n2", 5000), draining("old-1")),
                new Step.Drain(List.of("old-1"), Duration.ofSeconds(2)),
                shift("remove old", active("n1", 5000), active("n2", 5000))), plan.steps());
    }

    @Test
    void builderValidation() {
        fails("canary.steps[2] 5% is below the previous step 10%",
                () -> Canary.builder().weight(10).pause(Duration.ofSeconds(1)).weight(5));
        fails("canary.steps[1] 10% repeats the previous step 10%: traffic steps must increase",
                () -> Canary.builder().weight(10).weight(10));
        fails("canary.steps[0] 0% is not in (0, 100]", () -> Canary.builder().weight(0));
        fails("canary.steps[0] 100.5% is not in (0, 100]", () -> Canary.builder().weight(100.5));
        fails("canary.steps[0] -3% is not in (0, 100]", () -> Canary.builder().weight(-3));
        fails("canary.steps[0] NaN% is not in (0, 100]", () -> Canary.builder().weight(Double.NaN));
        fails("canary.steps[0] 0.005% is finer than 0.01%, the smallest traffic step", () -> Canary.builder().weight(0.005));
        fails("canary.steps[1] pause must be positive, was PT0S",
                () -> Canary.builder().weight(1).pause(Duration.ZERO));
        fails("canary.steps[0] gate timeout must be positive, was PT-1S",
                () -> Canary.builder().gate("g", Duration.ofSeconds(-1)));
        fails("canary.steps[0] check name 'a b' is invalid: expected letters, digits, '.', '_' or '-', starting with a "
                + "letter or digit, at most 63", () -> Canary.builder().check("a b"));
        fails("canary.steps[0] servers must be >= 1, was 0", () -> Canary.builder().servers(0));
        fails("canary.instances must be >= 1, was 0", () -> Canary.builder().instances(0));
        fails("canary.stickyOn must not be null", () -> Canary.builder().stickyOn(null));
        fails("canary.steps must not be empty", () -> Canary.builder().build());
        fails("canary.steps must contain at least one weight or servers step",
                () -> Canary.builder().pause(Duration.ofSeconds(1)).build());
    }

    @Test
    void planValidation() {
        fails("canary.steps[1] 1 of 4 servers (25%) is below the previous step 50%",
                () -> Canary.builder().weight(50).servers(1).build().plan(launching(evenOld(4))));
        fails("canary.steps[1] 50% repeats the previous step 2 of 4 servers (50%): traffic steps must increase",
                () -> Canary.builder().servers(2).weight(50).build().plan(launching(evenOld(4))));
        fails("canary.steps[0] servers(5) is more than the 4 instances of version 'v2'",
                () -> Canary.builder().servers(5).build().plan(launching(evenOld(4))));
        fails("canary.steps[0] servers(1) is fewer than the 2 instances already started",
                () -> Canary.builder().instances(2).servers(1).build().plan(launching(evenOld(4))));
        fails("canary.instances 3 is more than the 2 instances of version 'v2'",
                () -> Canary.builder().instances(3).weight(5).build().plan(launching(evenOld(2))));
        fails("canary: spec.targets is empty and no launcher is available to start version 'v2'",
                () -> Canary.builder().weight(5).build().plan(ctx(spec(), evenOld(1), FULL, false)));
    }

    @Test
    void weightFinerThanTheRouterCanExpress() {
        RouterCapabilities haproxy = new RouterCapabilities(256, true, false, false, true);
        Canary canary = Canary.builder().weight(0.1).build();
        fails("canary.steps[0] 0.1%: the router cannot express weight 10 of svc-v2-1 next to weight 9990: its weights "
                + "go from 1 to 256", () -> canary.plan(ctx(spec(), evenOld(1), haproxy, true)));
        // 1% is expressible on the same router
        Plan ok = Canary.builder().weight(1).build().plan(ctx(spec(), evenOld(1), haproxy, true));
        assertEquals(shift("canary 1%", active("svc-v2-1", 100), active("old-1", 9900)), ok.steps().get(2));
    }
}
