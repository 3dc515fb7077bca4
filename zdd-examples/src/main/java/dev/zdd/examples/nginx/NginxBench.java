package dev.zdd.examples.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.router.CompositeRouter;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.examples.Args;
import dev.zdd.examples.Scenario;
import dev.zdd.examples.support.LoadGenerator;
import dev.zdd.examples.support.Stats;
import dev.zdd.nginx.NginxControl;
import dev.zdd.nginx.NginxRouter;
import dev.zdd.nginx.testing.TestNginx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nginx-bench}: continuous load on two real nginx while blue and green swap places again and again, on one
 * through {@link NginxRouter} (validate, reload, confirm) and on the other the way a deploy script does it (rewrite a
 * hand-written include, {@code nginx -s reload}), side by side in the same run. Reports failed requests by kind for
 * keep-alive, {@code Connection: close} and retrying clients, the switch latency (from the start of the switch to the
 * first answer of the new version on a fresh connection), the ratios zdd/raw, and how long switching two nginx in
 * parallel (all or nothing) takes against one. Bounded: at most about 3 minutes. Not thread-safe (run once).
 */
public final class NginxBench implements Scenario {
    /** Default number of switches on each side. */
    public static final int DEFAULT_SWITCHES = 20;
    /** Default pause after each switch, so that load runs between reloads. */
    public static final Duration DEFAULT_PAUSE = Duration.ofMillis(300);
    private static final Duration LATENCY_LIMIT = Duration.ofSeconds(5);

    @Override
    public String name() {
        return "nginx-bench";
    }

    @Override
    public String description() {
        return "load on real nginx while zdd and a raw script switch blue<->green; failures, latency, zdd/raw ratios";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        int switches = args.getInt("switches", DEFAULT_SWITCHES);
        int keepAlive = args.getInt("keepalive-connections", 16);
        int close = args.getInt("close-connections", 4);
        int retry = args.getInt("retry-connections", 8);
        int parallelRounds = args.getInt("parallel-rounds", 10);
        Duration pause = args.getDuration("pause", DEFAULT_PAUSE);
        if (switches < 1 || switches > 200) {
            throw new IllegalArgumentException("--switches must be in [1, 200], was " + switches);
        }
        Path binary = Path.of(args.get("nginx", IntegrationEnvironment.locate("nginx").map(Path::toString)
                .orElse("/usr/sbin/nginx")));
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("nginx not found at " + binary + " (apt-get install nginx, or --nginx PATH)");
        }

        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            TestBackend blue = add(closeables, TestBackend.start("blue"));
            TestBackend green = add(closeables, TestBackend.start("green"));
            Routing toBlue = Routing.of(Route.active(blue.target("blue"), 10000), Route.disabled(green.target("green")));
            Routing toGreen = Routing.of(Route.active(green.target("green"), 10000), Route.disabled(blue.target("blue")));

            TestNginx zddNginx = add(closeables, TestNginx.create(binary, "app"));
            NginxRouter router = zddNginx.start(toBlue);

            TestNginx rawNginx = add(closeables, TestNginx.create(binary, "raw", "http://raw_app"));
            writeRaw(rawNginx.includeFile(), blue);
            rawNginx.start();
            NginxControl rawControl = rawNginx.scriptControl();

            // warm-up (JIT, first reloads), not measured
            for (int i = 0; i < 2; i++) {
                router.apply(toGreen);
                router.apply(toBlue);
                writeRaw(rawNginx.includeFile(), green);
                rawControl.reload();
                writeRaw(rawNginx.includeFile(), blue);
                rawControl.reload();
            }

            List<LoadGenerator> zddLoad = load(zddNginx.port(), keepAlive, close, retry);
            List<LoadGenerator> rawLoad = load(rawNginx.port(), keepAlive, close, retry);
            zddLoad.forEach(g -> closeables.add(g));
            rawLoad.forEach(g -> closeables.add(g));
            zddLoad.forEach(LoadGenerator::start);
            rawLoad.forEach(LoadGenerator::start);
            Thread.sleep(500);

            Samples underLoad = new Samples();
            long benchStart = System.nanoTime();
            Switcher switcher = new Switcher(router, rawNginx.includeFile(), rawControl, toGreen, toBlue, green, blue, pause);
            switcher.run(switches, zddLoad.get(1), rawLoad.get(1), underLoad);
            double switchSeconds = (System.nanoTime() - benchStart) / 1e9;
            zddLoad.forEach(LoadGenerator::stop);
            rawLoad.forEach(LoadGenerator::stop);

            // Latency alone: only two Connection: close clients per nginx, so that the load generator's own threads do
            // not starve the switch of CPU (this machine is shared).
            LoadGenerator zddProbe = add(closeables, LoadGenerator.builder("127.0.0.1", zddNginx.port())
                    .mode(LoadGenerator.Mode.CLOSE).connections(2).maxDuration(Duration.ofMinutes(1))
                    .timeout(Duration.ofSeconds(10)).build());
            LoadGenerator rawProbe = add(closeables, LoadGenerator.builder("127.0.0.1", rawNginx.port())
                    .mode(LoadGenerator.Mode.CLOSE).connections(2).maxDuration(Duration.ofMinutes(1))
                    .timeout(Duration.ofSeconds(10)).build());
            zddProbe.start();
            rawProbe.start();
            Samples light = new Samples();
            switcher.run(switches, zddProbe, rawProbe, light);
            zddProbe.stop();
            rawProbe.stop();

            // Two nginx switched together (all or nothing, in parallel) against one, no load.
            TestNginx second = add(closeables, TestNginx.create(binary, "app"));
            NginxRouter router2 = second.start(router.current());
            TrafficRouter both = CompositeRouter.allOrNothing(router, router2);
            List<Double> single = new ArrayList<>();
            List<Double> pair = new ArrayList<>();
            for (int i = 0; i < parallelRounds; i++) {
                Routing next = router.current().sameTrafficAs(toGreen) ? toBlue : toGreen;
                Routing back = next == toGreen ? toBlue : toGreen;
                long t0 = System.nanoTime();
                router.apply(next);
                single.add((System.nanoTime() - t0) / 1e6);
                router2.apply(next); // untimed: both in step again, so that the pair's switch changes both
                long t1 = System.nanoTime();
                both.apply(back);
                pair.add((System.nanoTime() - t1) / 1e6);
            }

            Map<String, Object> report = new LinkedHashMap<>();
            report.put("scenario", name());
            report.put("nginx", binary.toString());
            report.put("switchesEachSide", switches);
            report.put("pauseMillis", pause.toMillis());
            report.put("switchPhaseSeconds", Stats.round(switchSeconds));
            report.put("zdd", side(zddLoad, underLoad.zddApply, "applyMs", underLoad.zddLatency, underLoad.zddMissed));
            report.put("raw", side(rawLoad, underLoad.rawCommand, "writeAndReloadCommandMs", underLoad.rawLatency,
                    underLoad.rawMissed));
            Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("what", "ms from the start of a switch to the first answer of the new version on a fresh"
                    + " connection, with only 2 Connection: close clients per nginx");
            latency.put("zddMs", Stats.summary(light.zddLatency));
            latency.put("rawMs", Stats.summary(light.rawLatency));
            latency.put("zddApplyMs", Stats.summary(light.zddApply));
            latency.put("rawWriteAndReloadCommandMs", Stats.summary(light.rawCommand));
            report.put("switchLatencyLightLoad", latency);

            long zddKeepAliveFailed = zddLoad.get(0).failed();
            long rawKeepAliveFailed = rawLoad.get(0).failed();
            long zddCloseRetryFailed = zddLoad.get(1).failed() + zddLoad.get(2).failed();
            long rawCloseRetryFailed = rawLoad.get(1).failed() + rawLoad.get(2).failed();
            double latencyRatio = Stats.ratio(Stats.percentile(light.zddLatency, 50),
                    Stats.percentile(light.rawLatency, 50));
            double keepAliveRatio = rawKeepAliveFailed == 0
                    ? (zddKeepAliveFailed == 0 ? 1.0 : Double.POSITIVE_INFINITY)
                    : Stats.ratio(zddKeepAliveFailed, rawKeepAliveFailed);
            double parallelRatio = Stats.ratio(Stats.percentile(pair, 50), Stats.percentile(single, 50));

            Map<String, Object> ratios = new LinkedHashMap<>();
            ratios.put("keepAliveFailedZddOverRaw", keepAliveRatio);
            ratios.put("keepAliveFailedPerSwitchZdd", Stats.round((double) zddKeepAliveFailed / switches));
            ratios.put("keepAliveFailedPerSwitchRaw", Stats.round((double) rawKeepAliveFailed / switches));
            ratios.put("switchLatencyP50ZddOverRaw", latencyRatio);
            ratios.put("switchLatencyP99ZddOverRaw",
                    Stats.ratio(Stats.percentile(light.zddLatency, 99), Stats.percentile(light.rawLatency, 99)));
            ratios.put("switchLatencyUnderLoadP50ZddOverRaw", Stats.ratio(Stats.percentile(underLoad.zddLatency, 50),
                    Stats.percentile(underLoad.rawLatency, 50)));
            report.put("ratios", ratios);

            Map<String, Object> parallel = new LinkedHashMap<>();
            parallel.put("rounds", parallelRounds);
            parallel.put("oneNginxApplyMs", Stats.summary(single));
            parallel.put("twoNginxAllOrNothingApplyMs", Stats.summary(pair));
            parallel.put("ratioP50", parallelRatio);
            report.put("parallel", parallel);

            Map<String, Object> goals = new LinkedHashMap<>();
            goals.put("zeroFailedForCloseAndRetryClients", zddCloseRetryFailed == 0);
            goals.put("rawCloseAndRetryFailed", rawCloseRetryFailed);
            goals.put("keepAliveFailuresRatioAtMost1", keepAliveRatio <= 1.0);
            goals.put("switchLatencyRatioAtMost1_5", latencyRatio <= 1.5);
            goals.put("parallelRatioAtMost1_3", parallelRatio <= 1.3);
            goals.put("allSwitchesSeen", underLoad.missed() + light.missed() == 0);
            report.put("goals", goals);
            report.put("ok", zddCloseRetryFailed == 0 && underLoad.zddMissed + light.zddMissed == 0);
            print(report);
            return report;
        } finally {
            for (int i = closeables.size() - 1; i >= 0; i--) {
                try {
                    closeables.get(i).close();
                } catch (Exception e) {
                    System.err.println("closing " + closeables.get(i) + ": " + e);
                }
            }
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> list, T c) {
        list.add(c);
        return c;
    }

    /** The three client behaviours on one nginx: index 0 keep-alive, 1 close, 2 retry. */
    private static List<LoadGenerator> load(int port, int keepAlive, int close, int retry) {
        Duration bound = Duration.ofMinutes(2);
        Duration timeout = Duration.ofSeconds(10); // a loaded shared machine can stall for seconds: not a switch failure
        return List.of(
                LoadGenerator.builder("127.0.0.1", port).mode(LoadGenerator.Mode.KEEP_ALIVE).connections(keepAlive)
                        .maxDuration(bound).timeout(timeout).build(),
                LoadGenerator.builder("127.0.0.1", port).mode(LoadGenerator.Mode.CLOSE).connections(close)
                        .maxDuration(bound).timeout(timeout).build(),
                LoadGenerator.builder("127.0.0.1", port).mode(LoadGenerator.Mode.RETRY).connections(retry)
                        .maxDuration(bound).timeout(timeout).build());
    }

    /** The script way: overwrite the include in place with a hand-written upstream. */
    private static void writeRaw(Path include, TestBackend backend) throws java.io.IOException {
        Files.writeString(include, "upstream raw_app {\n    server " + backend.endpoint().authority() + ";\n}\n",
                StandardCharsets.UTF_8);
    }

    private static Map<String, Object> side(List<LoadGenerator> load, List<Double> switchMs, String switchName,
                                            List<Double> latency, int missed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keepAlive", load.get(0).summary());
        m.put("close", load.get(1).summary());
        m.put("retry", load.get(2).summary());
        m.put(switchName, Stats.summary(switchMs));
        m.put("switchLatencyMs", Stats.summary(latency));
        m.put("switchesNotSeenWithin5s", missed);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r) {
        Map<String, Object> zdd = (Map<String, Object>) r.get("zdd");
        Map<String, Object> raw = (Map<String, Object>) r.get("raw");
        System.out.println("nginx-bench: " + r.get("switchesEachSide") + " switches each side");
        for (String mode : List.of("keepAlive", "close", "retry")) {
            Map<String, Object> z = (Map<String, Object>) zdd.get(mode);
            Map<String, Object> w = (Map<String, Object>) raw.get(mode);
            System.out.printf("  %-9s zdd %s requests, %s failed %s | raw %s requests, %s failed %s%n", mode,
                    z.get("requests"), z.get("failed"), z.get("failedByKind"), w.get("requests"), w.get("failed"),
                    w.get("failedByKind"));
        }
        System.out.println("  switch latency ms under load: zdd " + zdd.get("switchLatencyMs") + " | raw "
                + raw.get("switchLatencyMs"));
        System.out.println("  switch latency, light load: " + r.get("switchLatencyLightLoad"));
        System.out.println("  zdd apply ms: " + zdd.get("applyMs"));
        System.out.println("  ratios: " + r.get("ratios"));
        System.out.println("  parallel: " + r.get("parallel"));
        System.out.println("  goals: " + r.get("goals"));
    }

    /** Latency and duration samples of one series of switches. */
    private static final class Samples {
        final List<Double> zddLatency = new ArrayList<>();
        final List<Double> rawLatency = new ArrayList<>();
        final List<Double> zddApply = new ArrayList<>();
        final List<Double> rawCommand = new ArrayList<>();
        int zddMissed;
        int rawMissed;

        int missed() {
            return zddMissed + rawMissed;
        }
    }

    /** Switches blue and green on both nginx, alternating which side goes first. */
    private static final class Switcher {
        private final NginxRouter router;
        private final Path rawInclude;
        private final NginxControl rawControl;
        private final Routing toGreen;
        private final Routing toBlue;
        private final TestBackend green;
        private final TestBackend blue;
        private final Duration pause;
        private boolean greenNext = true;

        Switcher(NginxRouter router, Path rawInclude, NginxControl rawControl, Routing toGreen, Routing toBlue,
                 TestBackend green, TestBackend blue, Duration pause) {
            this.router = router;
            this.rawInclude = rawInclude;
            this.rawControl = rawControl;
            this.toGreen = toGreen;
            this.toBlue = toBlue;
            this.green = green;
            this.blue = blue;
            this.pause = pause;
        }

        void run(int switches, LoadGenerator zddClose, LoadGenerator rawClose, Samples out) throws Exception {
            for (int i = 0; i < switches; i++) {
                boolean toGreenNow = greenNext;
                greenNext = !greenNext;
                String version = toGreenNow ? "green" : "blue";
                for (int side = 0; side < 2; side++) {
                    boolean zddNow = (side == 0) == (i % 4 < 2);
                    if (zddNow) {
                        zddClose.mark();
                        long t0 = System.nanoTime();
                        router.apply(toGreenNow ? toGreen : toBlue);
                        out.zddApply.add((System.nanoTime() - t0) / 1e6);
                        long z = zddClose.awaitVersion(version, LATENCY_LIMIT);
                        if (z < 0) {
                            out.zddMissed++;
                        } else {
                            out.zddLatency.add(z / 1e6);
                        }
                    } else {
                        rawClose.mark();
                        long r0 = System.nanoTime();
                        writeRaw(rawInclude, toGreenNow ? green : blue);
                        NginxControl.Result reload = rawControl.reload();
                        out.rawCommand.add((System.nanoTime() - r0) / 1e6);
                        if (!reload.ok()) {
                            throw new IllegalStateException("raw nginx -s reload failed: " + reload.output());
                        }
                        long r = rawClose.awaitVersion(version, LATENCY_LIMIT);
                        if (r < 0) {
                            out.rawMissed++;
                        } else {
                            out.rawLatency.add(r / 1e6);
                        }
                    }
                    Thread.sleep(pause.toMillis());
                }
            }
        }
    }
}
