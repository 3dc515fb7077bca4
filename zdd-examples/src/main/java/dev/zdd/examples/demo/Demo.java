package dev.zdd.examples.demo;

import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.CheckResult;
import dev.zdd.api.HealthResult;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RequestKey;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.report.DeploymentRecorder;
import dev.zdd.core.router.InProcessRouter;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.strategy.Rolling;
import dev.zdd.examples.Args;
import dev.zdd.examples.Scenario;
import dev.zdd.examples.support.Stats;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The README's first command: v1 and v2 of a small HTTP app run in-process behind the {@link InProcessRouter}; client
 * threads call it continuously while zdd takes it from v1 to v2 four times: a blue-green switch, a sticky canary, a
 * rolling deployment, and a canary whose v2 turns unhealthy under traffic and is rolled back automatically to v1. Every request is a real HTTP call on loopback.
 * Writes each deployment's timeline as JSON and SVG into {@code --timeline-dir} (default {@code reports}).
 */
public final class Demo implements Scenario {
    private static final String SERVICE = "demo";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String description() {
        return "blue-green, sticky canary, rolling and an automatic rollback under load, all in-process";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        // A person follows the progress lines below; the libraries' log (steps, applies, probes) is the detail:
        // warnings only by default, everything with --verbose. Set before the first zdd logger exists.
        // (errors only: failed steps and the rollback are progress lines of their own)
        System.setProperty("org.slf4j.simpleLogger.log.dev.zdd", args.flag("verbose") ? "debug" : "error");
        int instances = args.getInt("instances", 2);
        int clients = args.getInt("clients", 8);
        Duration pause = args.getDuration("pause", Duration.ofMillis(1500));
        InProcessRouter router = InProcessRouter.create();
        List<Map<String, Object>> reports = new ArrayList<>();
        List<String> timelineFiles = new ArrayList<>();
        Path dir = Path.of(args.get("timeline-dir", "reports"));
        boolean ok = true;
        try (InProcessLauncher launcher = new InProcessLauncher(5);
             DemoLoad load = new DemoLoad(router, clients, 25, Duration.ofMinutes(5))) {
            resetToV1(launcher, router, instances);
            load.start();
            Thread.sleep(300);

            MeasuringRouter measured = new MeasuringRouter(router, load);
            DeploymentCheck canaryHealth = context -> {
                HttpProbe probe = HttpProbe.create();
                for (Target t : context.newTargets()) {
                    HealthResult r = probe.check(t, Duration.ofSeconds(1));
                    if (!r.isHealthy()) {
                        return CheckResult.fail(t.id() + " is unhealthy: " + r.reason());
                    }
                }
                return CheckResult.pass(context.newTargets().size() + " canary targets healthy");
            };
            RollbackTimer rollbackTimer = new RollbackTimer();
            // one timeline per deployment (a recorder follows one deployment); the engine's listener forwards to it
            java.util.concurrent.atomic.AtomicReference<DeploymentRecorder> timeline = new java.util.concurrent.atomic.AtomicReference<>();
            Engine engine = Engine.builder()
                    .router(measured)
                    .launcher(launcher)
                    .probe(HttpProbe.create())
                    .probePolicy(ProbePolicy.builder().period(Duration.ofMillis(100)).timeout(Duration.ofSeconds(1))
                            .failureThreshold(2).deadline(Duration.ofSeconds(30)).build())
                    .check("canary-health", canaryHealth)
                    .listener(rollbackTimer)
                    .listener(e -> timeline.get().onEvent(e))
                    .listener(new Progress())
                    .build();

            reports.add(deploy("blue-green", engine, load, rollbackTimer, timeline, router, dir, BlueGreen.builder()
                    .rollbackWindow(pause).drainTimeout(Duration.ofSeconds(5)).retireGrace(Duration.ofSeconds(1)).build(), instances));
            resetToV1(launcher, router, instances);
            reports.add(deploy("sticky-canary", engine, load, rollbackTimer, timeline, router, dir, Canary.builder()
                    .stickyOn(RequestKey.attribute("user"))
                    .weight(10).pause(pause).weight(50).pause(pause)
                    .drainTimeout(Duration.ofSeconds(5)).retireGrace(Duration.ofSeconds(1)).build(), instances));
            resetToV1(launcher, router, instances);
            reports.add(deploy("rolling", engine, load, rollbackTimer, timeline, router, dir, Rolling.builder()
                    .batchSize(1).pauseBetweenBatches(Duration.ofMillis(500))
                    .drainTimeout(Duration.ofSeconds(5)).retireGrace(Duration.ofSeconds(1)).build(), instances));
            resetToV1(launcher, router, instances);
            launcher.breakLaunches(true);   // this v2 degrades under traffic
            reports.add(deploy("canary-rollback", engine, load, rollbackTimer, timeline, router, dir, Canary.builder()
                    .weight(10).pause(pause).check("canary-health").weight(50).pause(pause).check("canary-health")
                    .drainTimeout(Duration.ofSeconds(5)).retireGrace(Duration.ofSeconds(1)).build(), instances));
            load.stop();
            for (Map<String, Object> r : reports) {
                timelineFiles.add(String.valueOf(r.get("timeline")));
            }

            for (Map<String, Object> r : reports) {
                ok &= ((Number) r.get("failed")).longValue() == 0;
            }
            Map<String, Object> last = reports.get(reports.size() - 1);
            ok &= "ROLLED_BACK".equals(last.get("status")) && "v1".equals(last.get("servingAfter"));
            ok &= Boolean.TRUE.equals(reports.get(1).get("stickyUsersNeverMovedBack"));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenario", "demo");
        out.put("ok", ok);
        out.put("scenarios", reports);
        out.put("timeline", timelineFiles);
        System.out.println(ok ? "demo OK: no failed request in any scenario; the broken v2 was rolled back to v1"
                : "demo FAILED: see above");
        return out;
    }

    /**
     * Before each scenario: fresh v1 instances (blue) take all traffic, and whatever served before is retired once its
     * in-flight requests are done. Done with the router directly, as the "before zdd" state of the next scenario.
     */
    private static void resetToV1(InProcessLauncher launcher, InProcessRouter router, int instances) throws InterruptedException {
        List<Target> previous = router.current().targets();
        List<Target> blue = new ArrayList<>();
        for (int i = 1; i <= instances; i++) {
            String id = SERVICE + "-blue-" + i;
            if (router.current().route(id).isPresent()) {
                id = SERVICE + "-blue-" + (instances + i);
            }
            blue.add(launcher.launch(new LaunchRequest(SERVICE, id, "v1", Map.of(Target.COLOUR, "blue"))));
        }
        router.apply(Routing.evenly(blue));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (Target t : previous) {
            while (router.activeConnections().getOrDefault(t.id(), 0) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            launcher.retire(t, Duration.ofSeconds(1));
        }
    }

    private Map<String, Object> deploy(String name, Engine engine, DemoLoad load, RollbackTimer rollback,
                                       java.util.concurrent.atomic.AtomicReference<DeploymentRecorder> timeline,
                                       InProcessRouter router, Path dir, Strategy strategy, int instances) throws Exception {
        load.reset();
        rollback.reset();
        DeploymentRecorder recorder = new DeploymentRecorder();
        recorder.routing(java.time.Instant.now(), "before", router.current());
        timeline.set(recorder);
        String version = "v2";
        DeploymentSpec spec = DeploymentSpec.builder(SERVICE, version).instances(instances).build();
        System.out.println("== " + name + " to " + version + " (" + engine.plan(spec, strategy).steps().size() + " steps)");
        Deployment d = engine.start(spec, strategy);
        DeploymentResult result = d.await(Duration.ofMinutes(2));
        Thread.sleep(200);
        Path svg = recorder.writeTo(dir, "demo-" + name).get(1);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", name);
        r.put("status", result.status().name());
        if (!result.reason().isEmpty()) {
            r.put("reason", result.reason());
        }
        r.put("requests", load.requests());
        r.put("failed", load.failed());
        if (load.failed() > 0) {
            r.put("failureSamples", load.failureSamples());
        }
        List<Double> latencies = load.switchLatencies();
        r.put("switches", countShifts(result));
        r.put("switchLatencyMs", Stats.summary(latencies));
        r.put("rollbackLatencyMs", rollback.millis());
        r.put("versionsServed", load.versions());
        r.put("servingAfter", String.join(",", result.routingAfter().servingVersions()));
        r.put("timeline", svg.toString());
        if (name.startsWith("sticky")) {
            r.put("stickyUsersNeverMovedBack", neverMovedBack(load.userVersions(), version));
        }
        System.out.printf("   %s: %s%s; requests %d, failed %d, switch latency p50 %.2f ms, serving %s%s%n", name,
                result.status(), result.reason().isEmpty() ? "" : " (" + result.reason() + ")", load.requests(),
                load.failed(), Stats.percentile(latencies, 50), r.get("servingAfter"),
                r.containsKey("stickyUsersNeverMovedBack") ? ", sticky users never moved back: " + r.get("stickyUsersNeverMovedBack") : "");
        System.out.println("   timeline (open in a browser): " + svg);
        if (result.status() == DeploymentStatus.ROLLED_BACK) {
            System.out.printf("   rolled back in %.1f ms, reason: %s%n", rollback.millis(), result.reason());
        }
        return r;
    }

    private static int countShifts(DeploymentResult result) {
        int n = 0;
        for (var s : result.steps()) {
            if (s.step().startsWith("shift traffic") || s.step().startsWith("rollback: restore routing")) {
                n++;
            }
        }
        return n;
    }

    /** A user who reached the new version never went back to an older one. */
    private static boolean neverMovedBack(Map<String, List<String>> perUser, String newVersion) {
        for (List<String> seen : perUser.values()) {
            synchronized (seen) {
                boolean reached = false;
                for (String v : seen) {
                    if (v.equals(newVersion)) {
                        reached = true;
                    } else if (reached) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Measures from ROLLBACK_STARTED to FINISHED. */
    private static final class RollbackTimer implements dev.zdd.api.DeploymentListener {
        private volatile long started;
        private volatile double millis = Double.NaN;

        @Override
        public void onEvent(DeploymentEvent event) {
            if (event.kind() == DeploymentEvent.Kind.ROLLBACK_STARTED) {
                started = System.nanoTime();
            } else if (event.kind() == DeploymentEvent.Kind.FINISHED && started != 0) {
                millis = Stats.round((System.nanoTime() - started) / 1e6);
            }
        }

        void reset() {
            started = 0;
            millis = Double.NaN;
        }

        Object millis() {
            return Double.isNaN(millis) ? null : millis;
        }
    }

    /** Tells the load which targets a routing change brings in, right before it is applied. */
    private static final class MeasuringRouter implements TrafficRouter, ConnectionStats {
        private final InProcessRouter delegate;
        private final DemoLoad load;

        MeasuringRouter(InProcessRouter delegate, DemoLoad load) {
            this.delegate = delegate;
            this.load = load;
        }

        @Override
        public void apply(Routing routing) {
            Set<String> before = new HashSet<>();
            delegate.current().servingTargets().forEach(t -> before.add(t.id()));
            Set<String> brought = new HashSet<>();
            routing.servingTargets().forEach(t -> {
                if (!before.contains(t.id())) {
                    brought.add(t.id());
                }
            });
            load.switching(System.nanoTime(), brought);
            delegate.apply(routing);
        }

        @Override
        public Routing current() {
            return delegate.current();
        }

        @Override
        public RouterCapabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public Map<String, Integer> activeConnections() {
            return delegate.activeConnections();
        }
    }
}
