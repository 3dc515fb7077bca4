package dev.zdd.core.strategy;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.zdd.core.strategy.Fixtures.FULL;
import static dev.zdd.core.strategy.Fixtures.active;
import static dev.zdd.core.strategy.Fixtures.coloured;
import static dev.zdd.core.strategy.Fixtures.ctx;
import static dev.zdd.core.strategy.Fixtures.draining;
import static dev.zdd.core.strategy.Fixtures.launching;
import static dev.zdd.core.strategy.Fixtures.shift;
import static dev.zdd.core.strategy.Fixtures.spec;
import static dev.zdd.core.strategy.Fixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlueGreenTest {
    private static final Routing BLUE_LIVE = Routing.evenly(List.of(
            coloured("blue-1", "v1", 9001, "blue"), coloured("blue-2", "v1", 9002, "blue")));

    private static Step.Launch launch(String id, String colour) {
        return new Step.Launch(id, "v2", Map.of(Target.COLOUR, colour));
    }

    private static void fails(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void blueLiveLaunchesGreenSwitchesKeepsWarmDrainsAndRetires() {
        Plan plan = BlueGreen.defaults().plan(launching(BLUE_LIVE));
        assertEquals("blue-green", plan.strategy());
        assertEquals(List.of(
                launch("svc-green-1", "green"),
                launch("svc-green-2", "green"),
                new Step.AwaitHealthy(List.of("svc-green-1", "svc-green-2")),
                shift("switch", active("svc-green-1", 5000), active("svc-green-2", 5000), draining("blue-1"),
                        draining("blue-2")),
                new Step.Pause(Duration.ofSeconds(30)),
                new Step.Drain(List.of("blue-1", "blue-2"), Duration.ofSeconds(30)),
                shift("remove old", active("svc-green-1", 5000), active("svc-green-2", 5000)),
                new Step.Retire(List.of("blue-1", "blue-2"), Duration.ofSeconds(10))), plan.steps());
    }

    @Test
    void greenLiveLaunchesBlue() {
        Routing green = Routing.evenly(List.of(coloured("svc-green-1", "v1", 9001, "green")));
        Plan plan = BlueGreen.defaults().plan(launching(green));
        assertEquals(launch("svc-blue-1", "blue"), plan.steps().get(0));
        assertEquals(shift("switch", active("svc-blue-1", 10_000), draining("svc-green-1")), plan.steps().get(2));
    }

    @Test
    void nothingServingUsesInitialColourAndPlansOnlyTheSwitch() {
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2").instances(3).build();
        Plan plan = BlueGreen.builder().initialColour("green").build().plan(ctx(spec, Routing.EMPTY, FULL, true));
        assertEquals(List.of(
                launch("svc-green-1", "green"), launch("svc-green-2", "green"), launch("svc-green-3", "green"),
                new Step.AwaitHealthy(List.of("svc-green-1", "svc-green-2", "svc-green-3")),
                shift("switch", active("svc-green-1", 3333), active("svc-green-2", 3333), active("svc-green-3", 3334))),
                plan.steps());
    }

    @Test
    void servingTargetsWithoutColourUseInitialColour() {
        Routing plain = Routing.evenly(List.of(target("a", "v1", 9001)));
        Plan plan = BlueGreen.builder().initialColour("blue").build().plan(launching(plain));
        assertEquals(launch("svc-blue-1", "blue"), plan.steps().get(0));
    }

    @Test
    void customColourNames() {
        Routing live = Routing.evenly(List.of(coloured("a", "v1", 9001, "left")));
        Plan plan = BlueGreen.builder().colours("left", "right").build().plan(launching(live));
        assertEquals(launch("svc-right-1", "right"), plan.steps().get(0));
    }

    @Test
    void colourDiscoveryErrors() {
        fails("blue-green: serving targets carry no colour attribute and no colour given (set initialColour): [a]",
                () -> BlueGreen.defaults().plan(launching(Routing.evenly(List.of(target("a", "v1", 9001))))));
        fails("blue-green: serving targets disagree on colour: {a=blue, b=green}",
                () -> BlueGreen.defaults().plan(launching(Routing.evenly(List.of(
                        coloured("a", "v1", 9001, "blue"), coloured("b", "v1", 9002, "green"))))));
        fails("blue-green: serving targets disagree on colour: {a=blue, b=(none)}",
                () -> BlueGreen.defaults().plan(launching(Routing.evenly(List.of(
                        coloured("a", "v1", 9001, "blue"), target("b", "v1", 9002))))));
        fails("blue-green: serving colour 'red' is neither 'blue' nor 'green'",
                () -> BlueGreen.defaults().plan(launching(Routing.evenly(List.of(coloured("a", "v1", 9001, "red"))))));
        DeploymentSpec blueAsked = DeploymentSpec.builder("svc", "v2").attributes(Map.of(Target.COLOUR, "blue")).build();
        fails("blue-green: spec.attributes colour 'blue' is not the idle colour 'green'",
                () -> BlueGreen.defaults().plan(ctx(blueAsked, BLUE_LIVE, FULL, true)));
    }

    @Test
    void nonServingTargetsAreCarriedAndGeneratedIdsAvoidThem() {
        Routing current = routing(
                Route.active(coloured("blue-1", "v1", 9001, "blue"), 10_000),
                Route.disabled(coloured("svc-green-1", "v0", 9002, "green")));
        Plan plan = BlueGreen.builder().rollbackWindow(Duration.ZERO).build().plan(launching(current));
        Step.Allocation leftover = new Step.Allocation("svc-green-1", 0, RouteState.DISABLED);
        assertEquals(List.of(
                launch("svc-green-2", "green"),
                new Step.AwaitHealthy(List.of("svc-green-2")),
                shift("switch", active("svc-green-2", 10_000), draining("blue-1"), leftover),
                new Step.Drain(List.of("blue-1"), Duration.ofSeconds(30)),
                shift("remove old", active("svc-green-2", 10_000), leftover),
                new Step.Retire(List.of("blue-1"), Duration.ofSeconds(10))), plan.steps());
    }

    private static Routing routing(Route... routes) {
        return Routing.of(routes);
    }

    @Test
    void givenTargetsAreNotLaunchedAndNotRetiredWithoutLauncher() {
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2")
                .targets(target("new-1", "v2", 9101), target("new-2", "v2", 9102)).build();
        RouterCapabilities noDrain = new RouterCapabilities(Routing.MAX_WEIGHT, false, false, false, false);
        Plan plan = BlueGreen.builder().drainTimeout(Duration.ofSeconds(5)).build()
                .plan(ctx(spec, BLUE_LIVE, noDrain, false));
        Step.Allocation off1 = new Step.Allocation("blue-1", 0, RouteState.DISABLED);
        Step.Allocation off2 = new Step.Allocation("blue-2", 0, RouteState.DISABLED);
        assertEquals(List.of(
                new Step.AwaitHealthy(List.of("new-1", "new-2")),
                shift("switch", active("new-1", 5000), active("new-2", 5000), off1, off2),
                new Step.Pause(Duration.ofSeconds(30)),
                new Step.Drain(List.of("blue-1", "blue-2"), Duration.ofSeconds(5)),
                shift("remove old", active("new-1", 5000), active("new-2", 5000))), plan.steps());
    }

    @Test
    void firstDeploymentOntoGivenTargetsNeedsNoColour() {
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2").targets(target("new-1", "v2", 9101)).build();
        Plan plan = BlueGreen.defaults().plan(ctx(spec, Routing.EMPTY, FULL, false));
        assertEquals(List.of(new Step.AwaitHealthy(List.of("new-1")), shift("switch", active("new-1", 10_000))),
                plan.steps());
    }

    @Test
    void previewWithCheckGateAndHooks() {
        Routing uneven = routing(Route.active(coloured("blue-1", "v1", 9001, "blue"), 300),
                Route.active(coloured("blue-2", "v1", 9002, "blue"), 100));
        BlueGreen bg = BlueGreen.builder().preview().previewCheck("smoke").previewGate("qa", Duration.ofMinutes(10))
                .beforeSwitch("migrate").afterSwitch("notify").afterSwitch("purge-cache")
                .rollbackWindow(Duration.ofMinutes(2)).retireGrace(Duration.ofSeconds(3)).build();
        Plan plan = bg.plan(ctx(DeploymentSpec.builder("svc", "v2").instances(1).build(), uneven, FULL, true));
        Rule rule = Rule.match(RequestKey.header("X-Preview"), Set.of("1"), "v2");
        assertEquals(List.of(
                launch("svc-green-1", "green"),
                new Step.AwaitHealthy(List.of("svc-green-1")),
                new Step.ShiftTraffic("preview", List.of(active("svc-green-1", 0), active("blue-1", 7500),
                        active("blue-2", 2500)), null, List.of(rule)),
                new Step.Check("smoke"),
                new Step.Gate("qa", Duration.ofMinutes(10)),
                new Step.Hook("migrate"),
                shift("switch", active("svc-green-1", 10_000), draining("blue-1"), draining("blue-2")),
                new Step.Hook("notify"),
                new Step.Hook("purge-cache"),
                new Step.Pause(Duration.ofMinutes(2)),
                new Step.Drain(List.of("blue-1", "blue-2"), Duration.ofSeconds(30)),
                shift("remove old", active("svc-green-1", 10_000)),
                new Step.Retire(List.of("blue-1", "blue-2"), Duration.ofSeconds(3))), plan.steps());
    }

    @Test
    void previewOnCookieKey() {
        BlueGreen bg = BlueGreen.builder().preview(RequestKey.cookie("beta"), "yes").build();
        Step.ShiftTraffic preview = (Step.ShiftTraffic) bg.plan(launching(BLUE_LIVE)).steps().get(3);
        assertEquals(List.of(Rule.match(RequestKey.cookie("beta"), Set.of("yes"), "v2")), preview.rules());
    }

    @Test
    void previewErrors() {
        BlueGreen bg = BlueGreen.builder().preview().build();
        fails("blue-green: preview needs a router that supports rules (capabilities.rules is false)",
                () -> bg.plan(ctx(spec(), BLUE_LIVE, RouterCapabilities.WEIGHTS_ONLY, true)));
        fails("blue-green: preview needs a serving version to keep traffic on, but nothing serves in the current routing",
                () -> bg.plan(ctx(DeploymentSpec.builder("svc", "v2").instances(1).build(), Routing.EMPTY, FULL, true)));
        fails("blue-green: preview needs spec.version 'v1' to differ from the serving version",
                () -> bg.plan(ctx(DeploymentSpec.builder("svc", "v1").build(), BLUE_LIVE, FULL, true)));
    }

    @Test
    void targetErrors() {
        fails("blue-green: spec.targets is empty and no launcher is available to start version 'v2'",
                () -> BlueGreen.defaults().plan(ctx(spec(), BLUE_LIVE, FULL, false)));
        DeploymentSpec clash = DeploymentSpec.builder("svc", "v2").targets(target("blue-1", "v2", 9001)).build();
        fails("blue-green: spec.targets: target 'blue-1' already serves in the current routing",
                () -> BlueGreen.defaults().plan(ctx(clash, BLUE_LIVE, FULL, true)));
    }

    @Test
    void builderValidation() {
        fails("blueGreen.colours must differ, both were 'blue'", () -> BlueGreen.builder().colours("blue", "blue"));
        fails("blueGreen.colours second 'gr een' is invalid: expected letters, digits, '.', '_' or '-', starting with a "
                + "letter or digit, at most 63", () -> BlueGreen.builder().colours("blue", "gr een"));
        fails("blueGreen.initialColour 'red' is neither 'blue' nor 'green'",
                () -> BlueGreen.builder().initialColour("red").build());
        fails("blueGreen.rollbackWindow must not be negative, was PT-1S",
                () -> BlueGreen.builder().rollbackWindow(Duration.ofSeconds(-1)));
        fails("blueGreen.previewGate timeout must be positive, was PT0S",
                () -> BlueGreen.builder().previewGate("qa", Duration.ZERO));
        fails("blueGreen.previewCheck 'smoke' needs preview() to be set",
                () -> BlueGreen.builder().previewCheck("smoke").build());
        fails("blueGreen.beforeSwitch 'a;b' is invalid: expected letters, digits, '.', '_' or '-', starting with a "
                + "letter or digit, at most 63", () -> BlueGreen.builder().beforeSwitch("a;b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlueGreen.builder().preview(RequestKey.header("X-Preview"), "a b"));
        assertEquals(true, e.getMessage().startsWith("blueGreen.preview value 'a b' is invalid: "), e.getMessage());
    }

    @Test
    void launchCarriesSpecAttributesAndLongServiceNamesAreShortened() {
        String service = "s".repeat(60);
        DeploymentSpec spec = DeploymentSpec.builder(service, "v2").attributes(Map.of("zone", "a")).build();
        Plan plan = BlueGreen.defaults().plan(ctx(spec, BLUE_LIVE, FULL, true));
        Step.Launch first = (Step.Launch) plan.steps().get(0);
        assertEquals(Map.of("zone", "a", Target.COLOUR, "green"), first.attributes());
        assertEquals(63, first.targetId().length());
        assertEquals(("s".repeat(60) + "-green").substring(0, 61) + "-1", first.targetId());
    }
}
