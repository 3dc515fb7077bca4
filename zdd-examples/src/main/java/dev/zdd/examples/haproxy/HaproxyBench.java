package dev.zdd.examples.haproxy;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.examples.Args;
import dev.zdd.examples.Scenario;
import dev.zdd.examples.support.LoadGenerator;
import dev.zdd.examples.support.Stats;
import dev.zdd.haproxy.HaproxyRouter;
import dev.zdd.haproxy.RuntimeApiClient;
import dev.zdd.haproxy.testing.LocalHaproxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code haproxy-bench}: a real HAProxy with two backends (blue v1, green v2) under continuous keep-alive load; switches
 * blue/green through {@link HaproxyRouter#apply} and, alternately in the same run, through the same commands sent bare
 * over the socket; then canary splits of 1 %, 10 % and 50 % measured over at least 10,000 requests each.
 * Not thread-safe (one run at a time).
 */
public final class HaproxyBench implements Scenario {
    @Override
    public String name() {
        return "haproxy-bench";
    }

    @Override
    public String description() {
        return "HAProxy runtime API: >= 50 blue/green switches under load, zdd vs raw command, canary split accuracy";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        int switches = args.getInt("switches", 50);
        int connections = args.getInt("connections", 32);
        int splitRequests = args.getInt("split-requests", 10_000);
        if (switches < 1 || splitRequests < 100) {
            throw new IllegalArgumentException("--switches must be >= 1 and --split-requests >= 100");
        }
        Path exe = IntegrationEnvironment.locate("haproxy")
                .orElseThrow(() -> new IllegalStateException("haproxy is not installed (apt-get install haproxy)"));
        Path dir = Files.createTempDirectory("zdd-haproxy-bench");
        Map<String, Object> report = new LinkedHashMap<>();
        try (TestBackend blue = TestBackend.start("v1"); TestBackend green = TestBackend.start("v2");
             LocalHaproxy haproxy = LocalHaproxy.builder(exe, dir).server("blue", blue.endpoint(), 256, true)
                     .server("green", green.endpoint(), 256, false).start()) {
            Target tBlue = blue.target("blue");
            Target tGreen = green.target("green");
            RuntimeApiClient client = haproxy.client();
            HaproxyRouter router = HaproxyRouter.builder(client, LocalHaproxy.BACKEND).server("blue", tBlue)
                    .server("green", tGreen).build();
            router.apply(Routing.of(Route.active(tBlue, 10_000), Route.draining(tGreen)));
            LoadGenerator load = LoadGenerator.builder("127.0.0.1", haproxy.frontendPort()).connections(connections)
                    .mode(LoadGenerator.Mode.KEEP_ALIVE).maxDuration(Duration.ofSeconds(100)).maxRequests(50_000_000)
                    .build().start();
            try {
                Thread.sleep(1000);
                List<Double> zdd = new ArrayList<>();
                List<Double> raw = new ArrayList<>();
                int timeouts = 0;
                boolean onGreen = false;
                for (int i = 0; i < 2 * switches; i++) {
                    boolean useZdd = i % 2 == 0;
                    onGreen = !onGreen;
                    Target in = onGreen ? tGreen : tBlue;
                    Target out = onGreen ? tBlue : tGreen;
                    String inName = onGreen ? "green" : "blue";
                    String outName = onGreen ? "blue" : "green";
                    load.mark();
                    if (useZdd) {
                        router.apply(Routing.of(Route.active(in, 10_000), Route.draining(out)));
                    } else {
                        client.set(List.of("set server app/" + inName + " weight 256",
                                "set server app/" + inName + " state ready", "set server app/" + outName + " state drain",
                                "set server app/" + outName + " weight 0"));
                    }
                    long nanos = load.awaitVersion(in.version(), Duration.ofSeconds(2));
                    if (nanos < 0) {
                        timeouts++;
                    } else {
                        (useZdd ? zdd : raw).add(nanos / 1e6);
                    }
                    Thread.sleep(30);
                }
                List<Map<String, Object>> splits = new ArrayList<>();
                boolean splitsOk = true;
                for (int pct : new int[] {1, 10, 50}) {
                    router.apply(Routing.of(Route.active(tGreen, pct * 100), Route.active(tBlue, 10_000 - pct * 100)));
                    Thread.sleep(50);
                    Map<String, Long> before = load.versions();
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    long total;
                    Map<String, Long> after;
                    do {
                        Thread.sleep(20);
                        after = load.versions();
                        total = count(after, "v1") - count(before, "v1") + count(after, "v2") - count(before, "v2");
                    } while (total < splitRequests && System.nanoTime() < deadline);
                    double observed = 100.0 * (count(after, "v2") - count(before, "v2")) / Math.max(1, total);
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("requested", pct);
                    s.put("observed", Stats.round(observed));
                    s.put("requests", total);
                    splits.add(s);
                    splitsOk &= total >= splitRequests && Math.abs(observed - pct) <= 1.0;
                }
                load.stop();
                Map<String, Object> summary = load.summary();
                Map<String, Object> zddStats = Stats.summary(zdd);
                Map<String, Object> rawStats = Stats.summary(raw);
                double ratio = Stats.ratio(Stats.percentile(zdd, 50), Stats.percentile(raw, 50));
                report.put("scenario", name());
                report.put("haproxyVersion", client.version());
                report.put("connections", connections);
                report.put("requests", summary.get("requests"));
                report.put("failed", summary.get("failed"));
                report.put("failedByKind", summary.get("failedByKind"));
                report.put("switches", zdd.size() + raw.size() + timeouts);
                report.put("switchTimeouts", timeouts);
                report.put("switchLatencyMs", zddStats);
                report.put("rawSwitchLatencyMs", rawStats);
                report.put("ratioP50", ratio);
                report.put("splits", splits);
                report.put("seconds", summary.get("seconds"));
                boolean ok = load.failed() == 0 && timeouts == 0 && (double) zddStats.get("p50") <= 5
                        && (double) zddStats.get("p99") <= 25 && ratio <= 1.5 && splitsOk;
                report.put("ok", ok);
                System.out.printf("haproxy-bench: %s requests, %s failed; switch p50 %.2f ms p99 %.2f ms (raw p50 %.2f ms, "
                                + "ratio %.3f); splits %s; ok=%s%n", summary.get("requests"), summary.get("failed"),
                        (double) zddStats.get("p50"), (double) zddStats.get("p99"), (double) rawStats.get("p50"), ratio,
                        splits, ok);
            } finally {
                load.stop();
            }
        } finally {
            deleteTree(dir);
        }
        return report;
    }

    private static long count(Map<String, Long> m, String v) {
        return m.getOrDefault(v, 0L);
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
