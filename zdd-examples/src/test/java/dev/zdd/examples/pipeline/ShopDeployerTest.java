package dev.zdd.examples.pipeline;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.FakeLauncher;
import dev.zdd.core.testing.RecordingRouter;
import dev.zdd.core.testing.ScriptedProbe;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a user unit-tests their own deploy pipeline with zdd's test kit: virtual time, a recording router, a fake
 * launcher and scripted probes. No sleeps, no servers; the two-minute rollback window passes in microseconds.
 */
class ShopDeployerTest {
    private final Target blue1 = new Target("shop-blue-1", "1.4.0", dev.zdd.api.Endpoint.of("10.0.0.1", 8080), Map.of("colour", "blue"));
    private final Target blue2 = new Target("shop-blue-2", "1.4.0", dev.zdd.api.Endpoint.of("10.0.0.2", 8080), Map.of("colour", "blue"));

    private VirtualScheduler time;
    private RecordingRouter router;
    private FakeLauncher launcher;

    @BeforeEach
    void setUp() {
        time = new VirtualScheduler();
        router = RecordingRouter.serving(blue1, blue2);
        launcher = new FakeLauncher().adopt(blue1, blue2);
    }

    private ShopDeployer deployer(ScriptedProbe probe, ShopDeployer.SmokeTest smoke) {
        return new ShopDeployer(router, launcher, probe, time, time.executor(), smoke);
    }

    private DeploymentResult run(Deployment d) {
        assertTrue(time.runUntil(() -> d.status().isTerminal(), Duration.ofHours(1)), "deployment did not finish");
        return d.result().orElseThrow();
    }

    @Test
    void dryRunLaunchesGreenBecauseBlueIsLive() {
        String plan = deployer(ScriptedProbe.healthy(), v -> true).dryRun("1.5.0", 2).render();
        assertTrue(plan.contains("launch shop-green-1 (1.5.0 {colour=green})"), plan);
        assertTrue(plan.contains("check 'smoke'"), plan);
        assertTrue(plan.contains("shift traffic [switch]: shop-green-1=5000 shop-green-2=5000 shop-blue-1=draining shop-blue-2=draining"), plan);
        assertEquals(List.of(), launcher.launches(), "a dry run launches nothing");
    }

    @Test
    void healthyVersionEndsOnGreenWithBlueRetired() {
        DeploymentResult r = run(deployer(ScriptedProbe.healthy(), v -> true).deploy("1.5.0", 2));

        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertEquals(Set.of("1.5.0"), router.table().servingVersions());
        assertEquals(Set.of("shop-blue-1", "shop-blue-2"), r.retired().stream().map(Target::id).collect(Collectors.toSet()));
        assertTrue(time.elapsed().compareTo(Duration.ofMinutes(2)) >= 0, "the old colour stayed warm for the rollback window");
    }

    @Test
    void failedSmokeTestRollsBackBeforeAnyUserSawTheNewVersion() {
        Routing before = router.table();
        DeploymentResult r = run(deployer(ScriptedProbe.healthy(), v -> !v.equals("1.5.0")).deploy("1.5.0", 2));

        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().contains("smoke test failed"), r.reason());
        assertTrue(router.table().sameTrafficAs(before), "traffic exactly as before: " + router.table());
        for (Routing applied : router.applied()) {
            assertEquals(Set.of("1.4.0"), applied.servingVersions(), "only the preview rule reached 1.5.0: " + applied);
        }
        assertEquals(Set.of("shop-green-1", "shop-green-2"), r.retired().stream().map(Target::id).collect(Collectors.toSet()));
    }

    @Test
    void greenThatNeverBecomesHealthyIsRolledBackAfterThreeFailures() {
        ScriptedProbe probe = ScriptedProbe.healthy().alwaysUnhealthy("shop-green-2", "HTTP 503");
        DeploymentResult r = run(deployer(probe, v -> true).deploy("1.5.0", 2));

        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().contains("shop-green-2"), r.reason());
        assertTrue(r.reason().contains("HTTP 503"), r.reason());
        assertEquals(Set.of("1.4.0"), router.table().servingVersions());
        assertTrue(launcher.running().values().stream().noneMatch(t -> t.version().equals("1.5.0")), "no green left running");
    }

    @Test
    void abortDuringTheRollbackWindowRestoresBlue() {
        Deployment d = deployer(ScriptedProbe.healthy(), v -> true).deploy("1.5.0", 2);
        time.runUntil(() -> router.table().servingVersions().equals(Set.of("1.5.0")), Duration.ofMinutes(10));
        d.abort("customer reports errors on checkout");
        DeploymentResult r = run(d);

        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().contains("customer reports errors on checkout"), r.reason());
        assertEquals(Set.of("1.4.0"), router.table().servingVersions());
    }
}
