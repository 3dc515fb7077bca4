package dev.zdd.core.engine;

import dev.zdd.api.CheckResult;
import dev.zdd.api.Plan;
import dev.zdd.api.RequestKey;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
import dev.zdd.core.Engine;
import dev.zdd.core.testing.RecordingRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;

import static dev.zdd.core.engine.Fixture.awaitHealthy;
import static dev.zdd.core.engine.Fixture.launch;
import static dev.zdd.core.engine.Fixture.plan;
import static dev.zdd.core.engine.Fixture.shift;
import static dev.zdd.core.engine.Fixture.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Plans are validated before anything is touched, with messages naming the step, the field and the value. */
class EngineValidationTest {
    private static final String UNKNOWN = "' is not a known target (not in the router's current routing, not in the"
            + " spec's targets, not launched by an earlier step)";
    private final Fixture f = new Fixture();

    private void rejects(Engine engine, Plan plan, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.start(f.spec, plan));
        assertEquals(message, e.getMessage());
        IllegalArgumentException dry = assertThrows(IllegalArgumentException.class, () -> engine.plan(f.spec, c -> plan));
        assertEquals(message, dry.getMessage());
        // nothing touched
        assertEquals(0, f.router.applyCalls());
        assertEquals(List.of(), f.launcher.launches());
        assertEquals(List.of(), f.probe.calls());
        assertEquals(0, f.time.pendingTasks());
        assertEquals(List.of(), f.events);
    }

    @Test
    void unknownTargetId() {
        rejects(f.engine(), plan(launch("n1"), awaitHealthy("n1", "nope")),
                "plan step 2 of 2 (await healthy n1, nope): awaitHealthy.targetIds 'nope" + UNKNOWN);
        rejects(f.engine(), plan(shift("x", "old1", "ghost")),
                "plan step 1 of 1 (shift traffic [x]: old1=5000 ghost=5000): shiftTraffic.allocations[1].targetId 'ghost"
                        + UNKNOWN);
        rejects(f.engine(), plan(new Step.Drain(List.of("zz"), Duration.ZERO)),
                "plan step 1 of 1 (drain zz (up to PT0S)): drain.targetIds 'zz" + UNKNOWN);
        rejects(f.engine(), plan(new Step.Retire(List.of("old1", "n9"), Duration.ZERO)),
                "plan step 1 of 1 (retire old1, n9 (grace PT0S)): retire.targetIds 'n9" + UNKNOWN);
    }

    @Test
    void launchIdMustBeNew() {
        rejects(f.engine(), plan(launch("old1")),
                "plan step 1 of 1 (launch old1 (v2)): launch.targetId 'old1' already exists (in the router's current routing)");
        rejects(f.engine(), plan(launch("n1"), launch("n1")),
                "plan step 2 of 2 (launch n1 (v2)): launch.targetId 'n1' already exists (launched by plan step 1)");
    }

    @Test
    void checksAndHooksMustBeRegistered() {
        Engine engine = f.builder().check("latency", c -> CheckResult.pass("")).hook("warm", c -> { }).build();
        rejects(engine, plan(new Step.Check("errors")), "plan step 1 of 1 (check 'errors'): check.name 'errors' is not"
                + " registered (registered checks: [latency]; use Engine.builder().check(name, check))");
        rejects(engine, plan(new Step.Hook("notify")), "plan step 1 of 1 (hook 'notify'): hook.name 'notify' is not"
                + " registered (registered hooks: [warm]; use Engine.builder().hook(name, hook))");
    }

    @Test
    void probeAndLauncherMustBeThereWhenStepsNeedThem() {
        Engine bare = Engine.builder().router(f.router).scheduler(f.time).executor(f.time.executor()).build();
        rejects(bare, plan(awaitHealthy("old1")), "plan step 1 of 1 (await healthy old1): await healthy needs a health"
                + " probe, but the engine has none (Engine.builder().probe(...))");
        rejects(bare, plan(shift("a", "old1"), launch("n1")), "plan step 2 of 2 (launch n1 (v2)): launch of 'n1' needs a"
                + " target launcher, but the engine has none (Engine.builder().launcher(...))");
    }

    @Test
    void routerMustSupportWhatTheTableAsks() {
        RecordingRouter weightsOnly = new RecordingRouter(f.before, RouterCapabilities.WEIGHTS_ONLY);
        Engine engine = f.builder().router(weightsOnly).build();
        Step.ShiftTraffic sticky = new Step.ShiftTraffic("sticky", shift("s", "old1", "old2").allocations(),
                Stickiness.on(RequestKey.header("X-User")), List.of());
        rejects(engine, plan(sticky), "plan step 1 of 1 (shift traffic [sticky]: old1=5000 old2=5000 sticky on"
                + " header:X-User): RecordingRouter does not support stickiness (requested header:X-User)");

        RecordingRouter coarse = new RecordingRouter(f.before, new RouterCapabilities(256, true, false, false, false));
        rejects(f.builder().router(coarse).build(), plan(weights("canary 0.1%", "old1", 10, "old2", 9990)),
                "plan step 1 of 1 (shift traffic [canary 0.1%]: old1=10 old2=9990): RecordingRouter cannot express weight"
                        + " 10 of old1 next to weight 9990: its weights go from 1 to 256");
    }

    @Test
    void tableMustServeSomethingAndNotRetiredTargets() {
        rejects(f.engine(), plan(weights("off", "old1", 0, "old2", 0)), "plan step 1 of 1 (shift traffic [off]: old1=0"
                + " old2=0): shiftTraffic.allocations serve no traffic (no ACTIVE target with a weight above 0): applying"
                + " it would take the service down");
        rejects(f.engine(), plan(shift("away", "old2"), new Step.Retire(List.of("old1"), Duration.ZERO),
                shift("back", "old1")), "plan step 3 of 3 (shift traffic [back]: old1=10000):"
                + " shiftTraffic.allocations[0].targetId 'old1' was retired by plan step 2");
    }

    @Test
    void aRetireMustNotStopATargetThatStillServes() {
        rejects(f.engine(), plan(new Step.Retire(List.of("old1"), Duration.ZERO)), "plan step 1 of 1 (retire old1 (grace"
                + " PT0S)): retire.targetIds 'old1' still serves traffic (weight 5000 in the routing set by the router's"
                + " current routing): shift traffic away from it before retiring it");
        rejects(f.engine(), plan(launch("n1"), weights("mostly new", "n1", 9000, "old2", 1000), new Step.Retire(
                List.of("old1", "old2"), Duration.ZERO)), "plan step 3 of 3 (retire old1, old2 (grace PT0S)):"
                + " retire.targetIds 'old2' still serves traffic (weight 1000 in the routing set by plan step 2): shift"
                + " traffic away from it before retiring it");
    }

    @Test
    void specTargetsAreKnown() {
        var spec = dev.zdd.api.DeploymentSpec.builder("shop", "v2")
                .targets(dev.zdd.api.Target.of("p1", "v2", "10.0.0.9", 80)).build();
        Plan plan = plan(awaitHealthy("p1"), shift("p", "p1"));
        assertEquals(plan, f.engine().plan(spec, c -> plan));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.engine().start(spec, plan(launch("p1"))));
        assertEquals("plan step 1 of 1 (launch p1 (v2)): launch.targetId 'p1' already exists (in the spec's targets)",
                e.getMessage());
    }

    @Test
    void strategyErrorsPassThrough() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.engine().plan(f.spec, c -> {
            throw new IllegalArgumentException("canary.steps must grow, was [10, 5]");
        }));
        assertEquals("canary.steps must grow, was [10, 5]", e.getMessage());
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        assertMessage("router must be set (Engine.builder().router(...))", () -> Engine.builder().build());
        assertMessage("stepDeadline must be positive, was PT0S", () -> Engine.builder().stepDeadline(Duration.ZERO));
        assertMessage("stepDeadline must not be null", () -> Engine.builder().stepDeadline(null));
        assertMessage("check name 'bad name' is invalid: expected letters, digits, '.', '_' or '-', starting with a"
                + " letter or digit, at most 63", () -> Engine.builder().check("bad name", c -> CheckResult.pass("")));
        assertMessage("hook name 'a' is already registered",
                () -> Engine.builder().hook("a", c -> { }).hook("a", c -> { }));
        assertMessage("probe must not be null", () -> Engine.builder().probe(null));
    }

    @Test
    void unreadableRouterFailsPlanningWithRouterMessage() {
        f.router.failCurrentOnCall(1);
        var e = assertThrows(dev.zdd.api.RouterException.class, () -> f.engine().start(f.spec, plan(shift("a", "old1"))));
        assertEquals("cannot read the current routing before planning: current: injected failure of call 1",
                e.getMessage());
        assertEquals(Routing.evenly(List.of(f.old1, f.old2)), f.router.table());
    }

    private static void assertMessage(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
