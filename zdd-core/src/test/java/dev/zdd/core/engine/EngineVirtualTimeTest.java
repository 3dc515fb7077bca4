package dev.zdd.core.engine;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.testing.FakeLauncher;
import dev.zdd.core.testing.RecordingRouter;
import dev.zdd.core.testing.ScriptedProbe;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long plans run in virtual time: an hour-long canary and a rolling deployment over 10,000 targets. They assert behaviour
 * only and print the wall and CPU time they took; timing is measured by the engine-bench scenario in zdd-examples.
 */
class EngineVirtualTimeTest {

    @Test
    void sixtyMinuteTenStepCanaryRunsInVirtualTime() {
        Fixture f = new Fixture();
        List<Step> steps = new ArrayList<>();
        steps.add(new Step.Launch("c1", "v2", Map.of()));
        steps.add(new Step.AwaitHealthy(List.of("c1")));
        for (int i = 1; i <= 10; i++) {
            int canary = i * 1000;
            int rest = (Routing.MAX_WEIGHT - canary) / 2;
            List<Step.Allocation> a = new ArrayList<>();
            a.add(Step.Allocation.active("c1", canary));
            a.add(rest == 0 ? Step.Allocation.draining("old1") : Step.Allocation.active("old1", rest));
            a.add(rest == 0 ? Step.Allocation.draining("old2") : Step.Allocation.active("old2", rest));
            steps.add(Step.ShiftTraffic.of("canary " + (i * 10) + "%", a));
            steps.add(new Step.Pause(Duration.ofMinutes(6)));
        }
        steps.add(new Step.Retire(List.of("old1", "old2"), Duration.ofSeconds(10)));
        long wall = System.nanoTime();
        long cpu = processCpuNanos();
        DeploymentResult r = f.finish(f.engine().start(f.spec, new Plan("canary", steps)));
        long wallMillis = (System.nanoTime() - wall) / 1_000_000;
        System.out.println("[zdd] 60-minute 10-step canary: " + wallMillis + " ms wall, "
                + (processCpuNanos() - cpu) / 1_000_000 + " ms CPU (all threads)");
        assertEquals(dev.zdd.api.DeploymentStatus.SUCCEEDED, r.status());
        assertEquals(Duration.ofMinutes(60), Duration.between(r.startedAt(), r.finishedAt()));
        assertEquals(10, f.router.applied().size());
        assertEquals(List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), f.router.applied().stream()
                .map(t -> t.versionShares().get("v2")).map(x -> Math.round(x * 10) / 10.0).toList());
    }

    @Test
    void rollingDeploymentOverTenThousandTargets() {
        // -Dzdd.repeat=N (through -Dsurefire.argLine) runs it N times with each executor, for measurements
        Integer repeat = Integer.getInteger("zdd.repeat");
        if (repeat == null) {
            rolling(true);
            return;
        }
        for (int k = 0; k < repeat; k++) {
            rolling(false);
            rolling(true);
        }
    }

    private void rolling(boolean inline) {
        int n = 10_000;
        int batch = 500;
        VirtualScheduler time = new VirtualScheduler();
        List<Route> oldRoutes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            oldRoutes.add(Route.active(Target.of("o" + i, "v1", "10.1." + (i / 250) + "." + (i % 250 + 1), 8080), 1));
        }
        RecordingRouter router = new RecordingRouter(Routing.of(oldRoutes));
        FakeLauncher launcher = new FakeLauncher();
        Engine engine = Engine.builder().router(router).launcher(launcher).probe(ScriptedProbe.healthy())
                .probePolicy(ProbePolicy.builder().period(Duration.ofSeconds(2)).build())
                .scheduler(time).executor(inline ? time.inlineExecutor() : time.executor()).build();
        List<Step> steps = new ArrayList<>();
        for (int b = 0; b < n / batch; b++) {
            List<String> fresh = new ArrayList<>();
            List<String> old = new ArrayList<>();
            for (int i = b * batch; i < (b + 1) * batch; i++) {
                steps.add(new Step.Launch("n" + i, "v2", Map.of()));
                fresh.add("n" + i);
                old.add("o" + i);
            }
            steps.add(new Step.AwaitHealthy(fresh));
            List<Step.Allocation> a = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                boolean replaced = i < (b + 1) * batch;
                a.add(new Step.Allocation(replaced ? "n" + i : "o" + i, 1, RouteState.ACTIVE));
            }
            steps.add(Step.ShiftTraffic.of("batch " + b, a));
            steps.add(new Step.Retire(old, Duration.ofSeconds(5)));
        }
        long wall = System.nanoTime();
        long cpu = processCpuNanos();
        Deployment d = engine.start(DeploymentSpec.builder("big", "v2").build(), new Plan("rolling", steps));
        assertTrue(time.runUntil(() -> d.status().isTerminal(), Duration.ofDays(1)));
        long wallMillis = (System.nanoTime() - wall) / 1_000_000;
        long cpuMillis = (processCpuNanos() - cpu) / 1_000_000;
        DeploymentResult r = d.result().orElseThrow();
        System.out.println("[zdd] rolling over " + n + " targets (" + steps.size() + " steps, " + (inline ? "inline" : "threaded")
                + " executor): " + wallMillis
                + " ms wall, " + cpuMillis + " ms CPU (all threads), heap used " + (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1 << 20)
                + " MB");
        assertEquals(dev.zdd.api.DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertEquals(n, r.launched().size());
        assertEquals(n, r.retired().size());
        assertEquals(java.util.Set.of("v2"), router.table().servingVersions());
        assertEquals(n / batch, router.applied().size());
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }
}
