package dev.zdd.examples.restarts;

import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.examples.Args;
import dev.zdd.examples.Scenario;
import dev.zdd.examples.support.LoadGenerator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code restarts}: every deploy and every recovery in a new JVM, under load through a real HAProxy. Runs
 * {@code --deploys} (default 6) blue-green deployments alternating v1/v2, then {@code --trials} (default 20) crash
 * trials (SIGKILL of the deployer at a random moment, recovery in a new JVM) while {@code --connections} clients send
 * requests through HAProxy; reports {@code trials}, {@code converged} (one version serves, all 200, no orphan, and the
 * recovery did not end FAILED), {@code orphans}, {@code recoveriesFailed} and {@code failedRequests}.
 * Needs haproxy and busybox. Not thread-safe.
 */
public final class Restarts implements Scenario {
    @Override
    public String name() {
        return "restarts";
    }

    @Override
    public String description() {
        return "every deploy a new JVM: 6 blue-green deploys, then >= 20 SIGKILLed deployers + recoveries, under load";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        int deploys = args.getInt("deploys", 6);
        int trials = args.getInt("trials", 20);
        int connections = args.getInt("connections", 4);
        long seed = args.getInt("seed", 15);
        if (deploys < 1 || trials < 0 || connections < 0) {
            throw new IllegalArgumentException("--deploys must be >= 1, --trials and --connections >= 0");
        }
        Path haproxy = IntegrationEnvironment.locate("haproxy")
                .orElseThrow(() -> new IllegalStateException("haproxy is not installed (apt-get install haproxy)"));
        Path busybox = IntegrationEnvironment.locate("busybox")
                .orElseThrow(() -> new IllegalStateException("busybox is not installed (apt-get install busybox-static)"));
        Path dir = Files.createTempDirectory("zdd-restarts");
        Map<String, Object> report = new LinkedHashMap<>();
        try (RestartLoop loop = new RestartLoop(RestartLoop.Proxy.HAPROXY, haproxy, busybox, dir, seed).start()) {
            List<Object> deployRuns = new ArrayList<>();
            long maxMillis = 0;
            for (int i = 0; i < deploys; i++) {
                Map<String, Object> d = loop.deploy();
                deployRuns.add(d);
                maxMillis = Math.max(maxMillis, (Long) d.get("millis"));
                System.out.println("deploy " + (i + 1) + ": " + d);
            }
            LoadGenerator load = connections == 0 ? null : LoadGenerator.builder("127.0.0.1", loop.frontendPort())
                    .connections(connections).mode(LoadGenerator.Mode.CLOSE).maxDuration(Duration.ofMinutes(30))
                    .maxRequests(50_000_000).build().start();
            int converged = 0;
            int orphans = 0;
            int recoveriesFailed = 0;
            List<Object> trialRuns = new ArrayList<>();
            try {
                for (int i = 0; i < trials; i++) {
                    Map<String, Object> t = loop.crashTrial(maxMillis);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> check = (Map<String, Object>) t.get("check");
                    if (Boolean.TRUE.equals(t.get("converged"))) {
                        converged++;
                    }
                    if (String.valueOf(t.get("recovery")).startsWith("RECOVERED FAILED")) {
                        recoveriesFailed++;
                    }
                    orphans += ((List<?>) check.get("orphans")).size();
                    trialRuns.add(t);
                    System.out.println("trial " + (i + 1) + ": " + t);
                }
            } finally {
                if (load != null) {
                    load.stop();
                }
            }
            report.put("deploys", deploys);
            report.put("deploysConverged", deployRuns.stream().filter(d -> Boolean.TRUE.equals(
                    ((Map<?, ?>) ((Map<?, ?>) d).get("check")).get("converged"))).count());
            report.put("trials", trials);
            report.put("converged", converged);
            report.put("orphans", orphans);
            report.put("recoveriesFailed", recoveriesFailed);
            report.put("failedRequests", load == null ? 0 : load.failed());
            report.put("okRequests", load == null ? 0 : load.ok());
            report.put("failuresByKind", load == null ? Map.of() : load.failuresByKind());
            report.put("deployRuns", deployRuns);
            report.put("trialRuns", trialRuns);
        }
        System.out.println("restarts: " + report.get("trials") + " trials, " + report.get("converged") + " converged, "
                + report.get("orphans") + " orphans, " + report.get("recoveriesFailed") + " FAILED recoveries, " + report.get("failedRequests") + " failed requests of "
                + report.get("okRequests"));
        return report;
    }
}
