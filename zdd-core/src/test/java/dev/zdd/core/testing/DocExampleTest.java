package dev.zdd.core.testing;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example of docs/engine.md, verbatim apart from the assertions. */
class DocExampleTest {
    @Test
    void exampleFromTheDocs() {
        VirtualScheduler time = new VirtualScheduler();
        Target old = Target.of("old", "v1", "10.0.0.1", 8080);
        RecordingRouter router = RecordingRouter.serving(old);
        ScriptedProbe probe = ScriptedProbe.healthy().alwaysUnhealthy("new", "HTTP 503");
        Engine engine = Engine.builder().router(router).launcher(new FakeLauncher().adopt(old)).probe(probe)
                .scheduler(time).executor(time.executor()).build();

        Deployment d = engine.start(DeploymentSpec.builder("shop", "v2").build(), new Plan("by-hand", List.of(
                new Step.Launch("new", "v2", Map.of()),
                new Step.AwaitHealthy(List.of("new")),
                Step.ShiftTraffic.of("all", List.of(Step.Allocation.active("new", 10_000))))));
        assertTrue(time.runUntil(() -> d.status().isTerminal(), Duration.ofHours(1)));

        assertEquals(DeploymentStatus.ROLLED_BACK, d.status());
        assertEquals(Routing.evenly(List.of(old)), router.table());
        assertEquals(Duration.ofSeconds(20), time.elapsed());
    }
}
