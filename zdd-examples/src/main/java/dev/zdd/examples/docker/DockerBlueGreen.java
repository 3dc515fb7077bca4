package dev.zdd.examples.docker;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.docker.ContainerSummary;
import dev.zdd.docker.DockerClient;
import dev.zdd.docker.DockerHealthProbe;
import dev.zdd.docker.DockerLauncher;
import dev.zdd.docker.testing.DockerTestDaemon;
import dev.zdd.docker.testing.TestImage;
import dev.zdd.examples.Args;
import dev.zdd.examples.Scenario;
import dev.zdd.examples.support.LoadGenerator;
import dev.zdd.examples.support.Stats;
import dev.zdd.haproxy.HaproxyRouter;
import dev.zdd.haproxy.testing.LocalHaproxy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code docker-blue-green}: blue-green of a container app under continuous load through a real HAProxy in front.
 *
 * <ol>
 *   <li>zdd way: find the live colour from the daemon ({@link DockerLauncher#discover(String)}), start the other
 *       colour with the new image tag ({@link DockerLauncher}), wait until its HEALTHCHECK says healthy
 *       ({@link DockerHealthProbe}), switch HAProxy ({@link HaproxyRouter}, runtime API), drain, stop and remove the
 *       old container; all through {@link Engine} and {@link BlueGreen}.</li>
 *   <li>zdd way with a broken version (its health check fails): rolled back, the old one still serves, the broken
 *       container is removed.</li>
 *   <li>script way, same run, same HAProxy and load: {@code docker run} the other colour, a fixed sleep, a curl loop on
 *       /health, switch, {@code docker stop} + {@code rm} of the old one at once.</li>
 * </ol>
 * Reports failed requests (goal 0), the times start to healthy to switched, total deploy times, the script-way figures
 * and ratios. Not thread-safe (one run at a time).
 */
public final class DockerBlueGreen implements Scenario {
    private static final String REPO = "zdd-demo";
    private static final String BROKEN = "3-broken";

    @Override
    public String name() {
        return "docker-blue-green";
    }

    @Override
    public String description() {
        return "Docker blue-green behind HAProxy under load: zdd (engine) vs the shell-script way, plus a rollback";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        String service = args.get("service", "zdd-demo");
        int connections = args.getInt("connections", 16);
        Duration scriptSleep = args.getDuration("script-sleep", Duration.ofSeconds(5));
        Duration scriptCurlLimit = args.getDuration("script-curl-limit", Duration.ofSeconds(10));
        Duration healthInterval = args.getDuration("health-interval", Duration.ofMillis(250));
        if (connections < 1 || connections > 256) {
            throw new IllegalArgumentException("--connections must be in [1, 256], was " + connections);
        }
        String host = args.get("docker-host", null);
        if (host == null) {
            host = DockerTestDaemon.shared().map(DockerTestDaemon::host).orElseThrow(() -> new IllegalStateException(
                    "no Docker daemon: run .ci/dockerd.sh start or pass --docker-host unix:///path/docker.sock"));
        }
        Path haproxyExe = IntegrationEnvironment.locate("haproxy")
                .orElseThrow(() -> new IllegalStateException("haproxy is not installed (apt-get install haproxy)"));

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("scenario", name());
        report.put("front", "real HAProxy (runtime API, dynamic servers) via zdd-haproxy HaproxyRouter");
        Path dir = Files.createTempDirectory("zdd-docker-bg");
        try (DockerClient docker = DockerClient.connect(host)) {
            report.put("docker", Map.of("host", host, "engine", docker.version().version(), "api", docker.apiVersion()));
            long t0 = System.nanoTime();
            for (String v : List.of("1", "2", "4")) {
                TestImage.ensure(docker, REPO, v, TestImage.Behaviour.HEALTHY);
            }
            TestImage.ensure(docker, REPO, BROKEN, TestImage.Behaviour.UNHEALTHY);
            report.put("imageEnsureMillis", millis(t0));
            removeAll(docker, service);

            int bluePort = freePort();
            int greenPort = freePort();
            DockerLauncher launcher = launcher(docker, bluePort, greenPort, healthInterval);
            Target first = launcher.launch(new LaunchRequest(service, service + "-blue-1", "1",
                    Map.of(Target.COLOUR, "blue")));
            awaitHttp(first, "/health", Duration.ofSeconds(30));

            try (LocalHaproxy haproxy = LocalHaproxy.builder(haproxyExe, dir).start()) {
                HaproxyRouter router = HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND)
                        .dynamicServers(true).build();
                router.apply(Routing.of(Route.active(first, Routing.MAX_WEIGHT)));
                try (LoadGenerator load = LoadGenerator.builder("127.0.0.1", haproxy.frontendPort())
                        .connections(connections).mode(LoadGenerator.Mode.KEEP_ALIVE)
                        .maxDuration(Duration.ofMinutes(10)).timeout(Duration.ofSeconds(5)).build().start()) {
                    Thread.sleep(1000);
                    report.put("warmup", snapshot(load));

                    report.put("zddDeploy", zddDeploy(host, router, load, service, "2", bluePort, greenPort,
                            healthInterval));
                    report.put("zddRollback", zddDeploy(host, router, load, service, BROKEN, bluePort, greenPort,
                            healthInterval));
                    report.put("scriptDeploy", scriptDeploy(docker, launcher, router, load, service, "4", scriptSleep,
                            scriptCurlLimit));
                    report.put("scriptBroken", scriptDeploy(docker, launcher, router, load, service, BROKEN, scriptSleep,
                            scriptCurlLimit));
                    Thread.sleep(500);
                    load.stop();
                    report.put("load", load.summary());
                }
            } finally {
                removeAll(docker, service);
            }
        } finally {
            deleteTree(dir);
        }
        summarise(report);
        print(report);
        return report;
    }

    private static DockerLauncher launcher(DockerClient docker, int bluePort, int greenPort, Duration healthInterval) {
        return DockerLauncher.builder(docker, REPO + ":{version}").containerPort(TestImage.PORT)
                .hostPort("blue", bluePort).hostPort("green", greenPort)
                .healthcheck(TestImage.healthcheck(healthInterval)).build();
    }

    /** One deployment the zdd way; a new client and launcher each time, as a deployer process that restarted. */
    private Map<String, Object> zddDeploy(String host, HaproxyRouter router, LoadGenerator load,
                                          String service, String version, int bluePort, int greenPort,
                                          Duration healthInterval) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        try (DockerClient docker = DockerClient.connect(host)) {
            DockerLauncher launcher = launcher(docker, bluePort, greenPort, healthInterval);
            List<Target> live = launcher.discover(service);
            out.put("liveBefore", live.stream().map(t -> t.id() + "@" + t.version() + "/" + t.attribute(Target.COLOUR))
                    .toList());
            out.put("version", version);
            Map<String, Long> at = new ConcurrentHashMap<>();
            Engine engine = Engine.builder().router(router).launcher(launcher).probe(DockerHealthProbe.of(docker))
                    .probePolicy(ProbePolicy.builder().period(Duration.ofMillis(100)).timeout(Duration.ofSeconds(2))
                            .failureThreshold(2).deadline(Duration.ofSeconds(60)).build())
                    .listener(e -> record(e, at)).build();
            BlueGreen strategy = BlueGreen.builder().initialColour("blue").rollbackWindow(Duration.ZERO)
                    .drainTimeout(Duration.ofSeconds(5)).retireGrace(Duration.ofSeconds(5)).build();
            DeploymentSpec spec = DeploymentSpec.builder(service, version).build();
            Plan plan = engine.plan(spec, strategy);
            long failedBefore = load.failed();
            long start = System.nanoTime();
            load.mark();
            Deployment d = engine.start(spec, plan);
            DeploymentResult result = d.await(Duration.ofMinutes(3));
            long total = System.nanoTime() - start;
            out.put("status", result.status().name());
            out.put("reason", result.reason());
            out.put("failedRequests", load.failed() - failedBefore);
            out.put("totalMillis", Stats.round(total / 1e6));
            Long healthy = firstStep(plan, at, Step.AwaitHealthy.class);
            Long switched = at.get("switched");
            out.put("startToHealthyMillis", healthy == null ? null : Stats.round((healthy - start) / 1e6));
            out.put("healthyToSwitchedMillis", healthy == null || switched == null ? null
                    : Stats.round((switched - healthy) / 1e6));
            out.put("startToSwitchedMillis", switched == null ? null : Stats.round((switched - start) / 1e6));
            String serving = result.status() == DeploymentStatus.SUCCEEDED ? version
                    : live.isEmpty() ? null : live.get(0).version();
            load.mark();
            out.put("servingAfterMillis", serving == null ? null
                    : Stats.round(load.awaitVersion(serving, Duration.ofSeconds(5)) / 1e6));
            out.put("servingAfter", serving);
            List<Target> after = launcher.discover(service);
            out.put("liveAfter", after.stream().map(t -> t.id() + "@" + t.version()).toList());
            out.put("containersLeft", docker.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, service), true).size());
            out.put("stepMillis", result.steps().stream().map(o -> o.step() + " = " + o.outcome() + " in "
                    + java.time.Duration.between(o.startedAt(), o.finishedAt()).toMillis()).toList());
            out.put("launched", result.launched().stream().map(Target::id).toList());
            out.put("retired", result.retired().stream().map(Target::id).toList());
        }
        return out;
    }

    private static void record(DeploymentEvent e, Map<String, Long> at) {
        long now = System.nanoTime();
        if (e instanceof DeploymentEvent.StepEnded s && s.outcome() == StepOutcome.Outcome.SUCCEEDED) {
            at.putIfAbsent("step" + s.index(), now);
        } else if (e.kind() == DeploymentEvent.Kind.ROUTING_APPLIED) {
            at.putIfAbsent("switched", now);
        }
    }

    private static Long firstStep(Plan plan, Map<String, Long> at, Class<? extends Step> type) {
        for (int i = 0; i < plan.steps().size(); i++) {
            if (type.isInstance(plan.steps().get(i))) {
                return at.get("step" + i);
            }
        }
        return null;
    }

    /** The shell-script way: docker run, sleep, curl loop, switch, docker stop + rm at once. */
    private Map<String, Object> scriptDeploy(DockerClient docker, DockerLauncher launcher, HaproxyRouter router,
                                             LoadGenerator load, String service, String version, Duration sleep,
                                             Duration curlLimit) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Target> live = launcher.discover(service);
        Target old = live.get(0);
        String idle = "blue".equals(old.attribute(Target.COLOUR)) ? "green" : "blue";
        out.put("version", version);
        out.put("fixedSleepMillis", sleep.toMillis());
        long failedBefore = load.failed();
        long start = System.nanoTime();
        load.mark();
        // docker run -d --name ... -p 127.0.0.1:<port>:8080 zdd-demo:<version>
        Target fresh = launcher.launch(new LaunchRequest(service, service + "-" + idle + "-1", version,
                Map.of(Target.COLOUR, idle)));
        long started = System.nanoTime();
        // sleep 30 (scaled down)
        Thread.sleep(sleep.toMillis());
        // until curl -fs http://127.0.0.1:<port>/health; do sleep 1; done   (bounded: the script gives up after a while)
        int curls = 0;
        boolean up = false;
        long curlDeadline = System.nanoTime() + curlLimit.toNanos();
        while (!up && System.nanoTime() < curlDeadline) {
            curls++;
            up = httpOk(fresh, "/health");
            if (!up) {
                Thread.sleep(1000);
            }
        }
        long healthy = System.nanoTime();
        out.put("curlAttempts", curls);
        out.put("healthyByCurl", up);
        if (!up) {
            // `set -e`: the script stops here; the new container keeps running until someone removes it by hand
            out.put("gaveUpAfterMillis", Stats.round((healthy - start) / 1e6));
            out.put("failedRequests", load.failed() - failedBefore);
            out.put("containerLeftBehind", docker.listContainers(Map.of(DockerLauncher.TARGET_LABEL, fresh.id(),
                    DockerLauncher.VERSION_LABEL, version), false).size() == 1);
            out.put("servingAfter", launcher.discover(service).stream().map(Target::version).toList());
            launcher.retire(fresh, Duration.ZERO);
            return out;
        }
        // rewrite the routing and switch
        router.apply(Routing.of(Route.active(fresh, Routing.MAX_WEIGHT)));
        long switched = System.nanoTime();
        // docker stop old && docker rm old
        docker.stopContainer(old.attribute(DockerLauncher.CONTAINER_ATTRIBUTE), Duration.ofSeconds(10));
        docker.removeContainer(old.attribute(DockerLauncher.CONTAINER_ATTRIBUTE), true);
        long end = System.nanoTime();
        Thread.sleep(300);
        out.put("failedRequests", load.failed() - failedBefore);
        out.put("startMillis", Stats.round((started - start) / 1e6));
        out.put("startToHealthyMillis", Stats.round((healthy - start) / 1e6));
        out.put("healthyToSwitchedMillis", Stats.round((switched - healthy) / 1e6));
        out.put("startToSwitchedMillis", Stats.round((switched - start) / 1e6));
        out.put("totalMillis", Stats.round((end - start) / 1e6));
        out.put("failedByKind", load.failuresByKind());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void summarise(Map<String, Object> report) {
        Map<String, Object> zdd = (Map<String, Object>) report.get("zddDeploy");
        Map<String, Object> rb = (Map<String, Object>) report.get("zddRollback");
        Map<String, Object> script = (Map<String, Object>) report.get("scriptDeploy");
        Map<String, Object> ratios = new LinkedHashMap<>();
        if (zdd != null && script != null) {
            ratios.put("zddTotalOverScriptTotal", Stats.ratio(num(zdd.get("totalMillis")), num(script.get("totalMillis"))));
            ratios.put("zddSwitchedOverScriptSwitched",
                    Stats.ratio(num(zdd.get("startToSwitchedMillis")), num(script.get("startToSwitchedMillis"))));
        }
        report.put("ratios", ratios);
        boolean ok = zdd != null && "SUCCEEDED".equals(zdd.get("status")) && num(zdd.get("failedRequests")) == 0
                && rb != null && "ROLLED_BACK".equals(rb.get("status")) && num(rb.get("failedRequests")) == 0
                && ((List<?>) rb.get("liveAfter")).size() == 1 && num(rb.get("containersLeft")) == 1
                && rb.get("servingAfterMillis") != null && num(rb.get("servingAfterMillis")) >= 0
                && script != null && Boolean.TRUE.equals(script.get("healthyByCurl"));
        Map<String, Object> scriptBroken = (Map<String, Object>) report.get("scriptBroken");
        if (scriptBroken != null && rb != null) {
            ratios.put("zddRollbackOverScriptGiveUp",
                    Stats.ratio(num(rb.get("totalMillis")), num(scriptBroken.get("gaveUpAfterMillis"))));
        }
        report.put("ok", ok);
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r) {
        System.out.println("docker-blue-green (" + r.get("front") + ")");
        for (String k : List.of("zddDeploy", "zddRollback", "scriptDeploy", "scriptBroken")) {
            Map<String, Object> m = (Map<String, Object>) r.get(k);
            System.out.printf("  %-13s status=%s failed=%s start->healthy=%s ms healthy->switched=%s ms total=%s ms%n", k,
                    m.getOrDefault("status", m.get("healthyByCurl")), m.get("failedRequests"),
                    m.get("startToHealthyMillis"), m.get("healthyToSwitchedMillis"),
                    m.getOrDefault("totalMillis", m.get("gaveUpAfterMillis")));
        }
        System.out.println("  ratios " + r.get("ratios") + "  ok=" + r.get("ok"));
    }

    private static Map<String, Object> snapshot(LoadGenerator load) {
        return Map.of("ok", load.ok(), "failed", load.failed());
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static void removeAll(DockerClient docker, String service) {
        for (ContainerSummary c : docker.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, service), true)) {
            docker.removeContainer(c.id(), true);
        }
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static boolean httpOk(Target t, String path) {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + t.endpoint().authority() + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitHttp(Target t, String path, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (httpOk(t, path)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(t + " did not answer " + path + " within " + limit);
    }
}
