package dev.zdd.core.engine;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentEvent.Kind;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.testing.FakeLauncher;
import dev.zdd.core.testing.RecordingRouter;
import dev.zdd.core.testing.ScriptedProbe;
import dev.zdd.core.testing.VirtualScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared setup of the engine tests: two old targets behind a recording router, fakes, virtual time, an event log. */
final class Fixture {
    final VirtualScheduler time = new VirtualScheduler();
    final Target old1 = Target.of("old1", "v1", "10.0.0.1", 8080);
    final Target old2 = Target.of("old2", "v1", "10.0.0.2", 8080);
    final RecordingRouter router = RecordingRouter.serving(old1, old2);
    final Routing before = router.table();
    final FakeLauncher launcher = new FakeLauncher().adopt(old1, old2);
    final ScriptedProbe probe = ScriptedProbe.healthy();
    final List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
    final DeploymentSpec spec = DeploymentSpec.builder("shop", "v2").build();
    static final ProbePolicy POLICY = ProbePolicy.builder().period(Duration.ofSeconds(1)).timeout(Duration.ofMillis(500))
            .failureThreshold(3).deadline(Duration.ofMinutes(1)).build();

    Engine.Builder builder() {
        return Engine.builder().router(router).launcher(launcher).probe(probe).probePolicy(POLICY).scheduler(time)
                .executor(time.executor()).listener(events::add);
    }

    Engine engine() {
        return builder().build();
    }

    /** Runs virtual time until the deployment ends (at most a day) and returns its result. */
    DeploymentResult finish(Deployment d) {
        assertTrue(time.runUntil(() -> d.status().isTerminal(), Duration.ofDays(1)), () -> "not terminal: " + d.status());
        assertEquals(List.of(), time.failures(), "scheduler task failures");
        return d.result().orElseThrow();
    }

    DeploymentResult run(Step... steps) {
        return finish(engine().start(spec, plan(steps)));
    }

    static Plan plan(Step... steps) {
        return new Plan("test", List.of(steps));
    }

    static Step.Launch launch(String id) {
        return new Step.Launch(id, "v2", Map.of());
    }

    static Step.AwaitHealthy awaitHealthy(String... ids) {
        return new Step.AwaitHealthy(List.of(ids));
    }

    /** All traffic evenly on {@code ids}, the other ids given as {@code draining:<id>} draining. */
    static Step.ShiftTraffic shift(String label, String... ids) {
        List<Step.Allocation> out = new ArrayList<>();
        List<String> active = new ArrayList<>();
        for (String id : ids) {
            if (id.startsWith("draining:")) {
                out.add(Step.Allocation.draining(id.substring("draining:".length())));
            } else {
                active.add(id);
            }
        }
        for (int i = 0; i < active.size(); i++) {
            out.add(0 + i, Step.Allocation.active(active.get(i), Routing.MAX_WEIGHT / active.size()));
        }
        return Step.ShiftTraffic.of(label, out);
    }

    static Step.ShiftTraffic weights(String label, Object... idWeight) {
        List<Step.Allocation> out = new ArrayList<>();
        for (int i = 0; i < idWeight.length; i += 2) {
            out.add(new Step.Allocation((String) idWeight[i], (Integer) idWeight[i + 1], RouteState.ACTIVE));
        }
        return Step.ShiftTraffic.of(label, out);
    }

    /** The kinds of the events so far, in order. */
    List<Kind> kinds() {
        synchronized (events) {
            return events.stream().map(DeploymentEvent::kind).toList();
        }
    }

    /**
     * The shape of the event log: each event's kind, with a step's end written {@code STEP_ENDED:<outcome>} so that a
     * failed step is told from a succeeded one (what STEP_FAILED / STEP_SUCCEEDED said before the events were typed).
     */
    List<String> shape() {
        synchronized (events) {
            return events.stream().map(Fixture::shapeOf).toList();
        }
    }

    static String shapeOf(DeploymentEvent e) {
        return e instanceof DeploymentEvent.StepEnded s ? Kind.STEP_ENDED + ":" + s.outcome() : e.kind().toString();
    }

    /** The step index an event carries; -1 for the events of the whole deployment (started, rollback, finished). */
    static int index(DeploymentEvent e) {
        switch (e.kind()) {
            case STEP_STARTED: return ((DeploymentEvent.StepStarted) e).index();
            case STEP_ENDED: return ((DeploymentEvent.StepEnded) e).index();
            case PROBE_RESULT: return ((DeploymentEvent.ProbeResult) e).index();
            case CHECK_VERDICT: return ((DeploymentEvent.CheckVerdict) e).index();
            case ROUTING_APPLIED: return ((DeploymentEvent.RoutingApplied) e).index();
            case PAUSED: return ((DeploymentEvent.Paused) e).index();
            case RESUMED: return ((DeploymentEvent.Resumed) e).index();
            case PROMOTED: return ((DeploymentEvent.Promoted) e).index();
            default: return -1;
        }
    }

    List<DeploymentEvent> events(Kind kind) {
        synchronized (events) {
            return events.stream().filter(e -> e.kind() == kind).toList();
        }
    }

    /** The events of one record type, cast. */
    <T extends DeploymentEvent> List<T> events(Class<T> type) {
        synchronized (events) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** The step ends with this outcome (rollback actions included, index -1). */
    List<DeploymentEvent.StepEnded> ended(Outcome outcome) {
        return events(DeploymentEvent.StepEnded.class).stream().filter(e -> e.outcome() == outcome).toList();
    }

    /** Whether a StepStarted of this index was emitted. */
    boolean stepStarted(int index) {
        return events(DeploymentEvent.StepStarted.class).stream().anyMatch(e -> e.index() == index);
    }
}
