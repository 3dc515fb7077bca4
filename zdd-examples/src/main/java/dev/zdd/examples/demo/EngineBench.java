package dev.zdd.examples.demo;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Routing;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.strategy.Rolling;
import dev.zdd.core.testing.FakeLauncher;
import dev.zdd.core.testing.RecordingRouter;
import dev.zdd.core.testing.ScriptedProbe;
import dev.zdd.core.testing.VirtualScheduler;
import dev.zdd.examples.Args;
import dev.zdd.examples.Scenario;
import dev.zdd.examples.support.Stats;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code engine-bench}: the engine alone, in virtual time with the test kit: a rolling deployment over 10,000 in-memory
 * targets in 5% batches (goal: under 2 s wall and 256 MB heap) and a 60-minute, 10-step canary (goal: under 100 ms).
 * The rolling deployment is measured after a warm-up on a tenth of the targets. The canary is reported cold (first run in this JVM) and warm (median of the following runs). Engine logging is set to
 * WARN unless {@code --log-steps} is given.
 */
public final class EngineBench implements Scenario {
    @Override
    public String name() {
        return "engine-bench";
    }

    @Override
    public String description() {
        return "engine in virtual time: rolling over 10,000 targets, 60-minute 10-step canary (wall time, peak heap)";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        if (!args.flag("log-steps")) {
            // 10,000 targets mean 30,000 INFO lines; measure the engine, not the console. Read before Engine's logger exists.
            System.setProperty("org.slf4j.simpleLogger.log.dev.zdd", "warn");
        }
        int targets = args.getInt("targets", 10_000);
        int canaryRuns = args.getInt("canary-runs", 10);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenario", "engine-bench");

        List<Target> old = new ArrayList<>(targets);
        for (int i = 0; i < targets; i++) {
            old.add(Target.of("old-" + i, "v1", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 8080));
        }
        // Warm-up on a tenth of the targets, so the figure is the engine's and not the JIT's.
        deploy(old.subList(0, Math.max(1, targets / 10)), "v2", Math.max(1, targets / 10), Rolling.builder().batchPercent(5).build());
        System.gc();
        resetPeaks();
        long used0 = usedHeap();
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Run rolling = deploy(old, "v2", targets, Rolling.builder().batchPercent(5).build());
        double rollingMs = (System.nanoTime() - t0) / 1e6;
        double rollingCpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
        long peak = peakHeap();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("targets", targets);
        r.put("batches", 20);
        r.put("status", rolling.status.name());
        r.put("wallMs", Stats.round(rollingMs));
        r.put("cpuMsDrivingThread", Stats.round(rollingCpuMs));
        r.put("peakHeapMb", Stats.round(peak / 1048576.0));
        r.put("heapBeforeMb", Stats.round(used0 / 1048576.0));
        r.put("goal", "wallMs < 2000 and peakHeapMb < 256");
        out.put("rolling", r);
        System.out.printf("rolling over %d targets in 5%% batches: %s in %.0f ms wall (%.0f ms CPU), peak heap %.0f MB%n",
                targets, rolling.status, rollingMs, rollingCpuMs, peak / 1048576.0);

        Canary canary = Canary.builder()
                .weight(10).pause(Duration.ofMinutes(6)).weight(20).pause(Duration.ofMinutes(6))
                .weight(30).pause(Duration.ofMinutes(6)).weight(40).pause(Duration.ofMinutes(6))
                .weight(50).pause(Duration.ofMinutes(6)).weight(60).pause(Duration.ofMinutes(6))
                .weight(70).pause(Duration.ofMinutes(6)).weight(80).pause(Duration.ofMinutes(6))
                .weight(90).pause(Duration.ofMinutes(6)).weight(100).pause(Duration.ofMinutes(6))
                .drainTimeout(Duration.ofMinutes(1)).build();
        List<Target> four = old.subList(0, 4);
        List<Double> warm = new ArrayList<>();
        double cold = 0;
        Run last = null;
        for (int i = 0; i <= canaryRuns; i++) {
            long c0 = System.nanoTime();
            last = deploy(four, "v2", 4, canary);
            double ms = (System.nanoTime() - c0) / 1e6;
            if (i == 0) {
                cold = ms;
            } else {
                warm.add(ms);
            }
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("steps", 20);
        c.put("status", last.status.name());
        c.put("virtualMinutes", Stats.round(last.virtual.toMillis() / 60_000.0));
        c.put("coldMs", Stats.round(cold));
        c.put("warmMs", Stats.summary(warm));
        c.put("goal", "warm p50 < 100 ms");
        out.put("canary", c);
        double warmP50 = Stats.percentile(warm, 50);
        System.out.printf("60-minute 10-step canary: %s, %.1f virtual minutes, cold %.1f ms, warm p50 %.1f ms%n",
                last.status, last.virtual.toMillis() / 60_000.0, cold, warmP50);
        boolean ok = rolling.status == DeploymentStatus.SUCCEEDED && last.status == DeploymentStatus.SUCCEEDED
                && rollingMs < 2000 && peak < 256L * 1048576 && warmP50 < 100;
        out.put("ok", ok);
        return out;
    }

    private record Run(DeploymentStatus status, Duration virtual) {
    }

    private static Run deploy(List<Target> old, String version, int instances, Strategy strategy) {
        VirtualScheduler time = new VirtualScheduler();
        RecordingRouter router = new RecordingRouter(Routing.evenly(old));
        Engine engine = Engine.builder()
                .router(router)
                .launcher(new FakeLauncher().adopt(old.toArray(new Target[0])))
                .probe(ScriptedProbe.healthy())
                .scheduler(time)
                .executor(time.inlineExecutor())
                .build();
        Deployment d = engine.start(DeploymentSpec.builder("bench", version).instances(instances).build(), strategy);
        time.runUntil(() -> d.status().isTerminal(), Duration.ofDays(7));
        return new Run(d.status(), time.elapsed());
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
