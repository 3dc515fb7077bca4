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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code nginx-bench}: continuous load on four real nginx while blue and green swap places again and again: three
 * switched by {@link NginxRouter}, one per {@link NginxRouter.Validation} mode ({@code ON_RELOAD}, the default: the
 * reload is the test; {@code ALWAYS}: {@code nginx -t} before every reload; {@code STRUCTURAL}: weight-only switches
 * skip {@code nginx -t}), one the way a deploy script does it (rewrite a hand-written include, {@code nginx -s reload}).
 * The four are switched interleaved in the same time window: in every round each side switches once, in an order that
 * cycles through the rotations and their reverses, so that machine noise falls on all sides alike. Reports failed
 * requests by kind for keep-alive, {@code Connection: close} and retrying clients, the switch latency (from the start
 * of the switch to the first answer of the new version on a fresh connection), the ratios of each zdd mode over raw,
 * how long switching two nginx in parallel (all or nothing) takes against one, and the throughput of a zdd upstream
 * with and without upstream {@code keepalive} ({@link KeepAliveThroughput}). Bounded: about 2-3 minutes with the
 * defaults. Not thread-safe (run once).
 */
public final class NginxBench implements Scenario {
    /** Default number of switches of each side in each of the two phases (a multiple of 8 keeps the order fair). */
    public static final int DEFAULT_SWITCHES = 16;
    /** Default pause after each switch, so that load runs between reloads. */
    public static final Duration DEFAULT_PAUSE = Duration.ofMillis(300);
    private static final Duration LATENCY_LIMIT = Duration.ofSeconds(5);
    /** The zdd modes measured, the default first. */
    private static final List<NginxRouter.Validation> MODES = List.of(NginxRouter.Validation.ON_RELOAD,
            NginxRouter.Validation.ALWAYS, NginxRouter.Validation.STRUCTURAL);

    @Override
    public String name() {
        return "nginx-bench";
    }

    @Override
    public String description() {
        return "load on real nginx while zdd (ON_RELOAD, ALWAYS, STRUCTURAL) and a raw script switch blue<->green,"
                + " interleaved; failures, latency, zdd/raw ratios; upstream keepalive throughput";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        int switches = args.getInt("switches", DEFAULT_SWITCHES);
        int keepAlive = args.getInt("keepalive-connections", 12);
        int close = args.getInt("close-connections", 3);
        int retry = args.getInt("retry-connections", 6);
        int parallelRounds = args.getInt("parallel-rounds", 10);
        Duration pause = args.getDuration("pause", DEFAULT_PAUSE);
        if (switches < 1 || switches > 60) {
            throw new IllegalArgumentException("--switches must be in [1, 60], was " + switches);
        }
        if (pause.isNegative() || pause.compareTo(Duration.ofSeconds(2)) > 0) {
            throw new IllegalArgumentException("--pause must be in [0, 2s], was " + pause);
        }
        Path binary = Path.of(args.get("nginx", IntegrationEnvironment.locate("nginx").map(Path::toString)
                .orElse("/usr/sbin/nginx")));
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("nginx not found at " + binary + " (apt-get install nginx, or --nginx PATH)");
        }

        int kaRounds = args.getInt("keepalive-rounds", 4);
        Duration kaSlot = args.getDuration("keepalive-slot", Duration.ofSeconds(2));
        int kaClients = args.getInt("keepalive-clients", 32);
        if (kaRounds < 1 || kaRounds > 20 || kaClients < 1 || kaClients > 256 || kaSlot.isNegative()
                || kaSlot.isZero() || kaSlot.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("--keepalive-rounds must be in [1, 20], --keepalive-clients in [1, 256],"
                    + " --keepalive-slot in (0, 10s]; were " + kaRounds + ", " + kaClients + ", " + kaSlot);
        }
        boolean onlyKeepalive = "keepalive".equals(args.get("only", ""));

        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            TestBackend blue = add(closeables, TestBackend.start("blue"));
            TestBackend green = add(closeables, TestBackend.start("green"));
            // upstream keepalive: throughput of a zdd upstream with nginx's defaults against one with keepalive 32
            Map<String, Object> keepalive = KeepAliveThroughput.run(binary, blue, kaRounds, kaSlot, kaClients,
                    closeables);
            System.out.println("nginx-bench: upstream keepalive: " + keepalive);
            if (onlyKeepalive) {
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("scenario", name());
                report.put("upstreamKeepalive", keepalive);
                report.put("ok", true);
                return report;
            }
            // the same route order both ways: only weights change, which STRUCTURAL may switch without nginx -t
            Routing toBlue = Routing.of(Route.active(blue.target("blue"), 10000), Route.disabled(green.target("green")));
            Routing toGreen = Routing.of(Route.disabled(blue.target("blue")), Route.active(green.target("green"), 10000));

            List<Side> sides = new ArrayList<>();
            NginxRouter always = null;
            for (NginxRouter.Validation v : MODES) {
                TestNginx n = add(closeables, TestNginx.create(binary, "app"));
                n.start(toBlue);
                Counting counting = new Counting(n.control());
                NginxRouter router = n.routerBuilder().control(counting).validation(v).build();
                if (v == NginxRouter.DEFAULT_VALIDATION) {
                    always = router;
                }
                sides.add(new Side(sideName(v), n.port(), toGreenNow -> router.apply(toGreenNow ? toGreen : toBlue),
                        counting));
            }
            TestNginx rawNginx = add(closeables, TestNginx.create(binary, "raw", "http://raw_app"));
            writeRaw(rawNginx.includeFile(), blue);
            rawNginx.start();
            NginxControl rawControl = rawNginx.scriptControl();
            sides.add(new Side("raw", rawNginx.port(), toGreenNow -> {
                writeRaw(rawNginx.includeFile(), toGreenNow ? green : blue);
                NginxControl.Result reload = rawControl.reload();
                if (!reload.ok()) {
                    throw new IllegalStateException("raw nginx -s reload failed: " + reload.output());
                }
            }, null));

            // warm-up (JIT, first reloads, STRUCTURAL's first validated apply), not measured
            for (int i = 0; i < 4; i++) {
                for (Side s : sides) {
                    s.action.switchTo(i % 2 == 0);
                }
            }
            sides.forEach(s -> s.resetCounts());

            // Phase 1, under load: every side has its own keep-alive, close and retrying clients, all running at once.
            for (Side s : sides) {
                s.load = load(s.port, keepAlive, close, retry);
                s.load.forEach(g -> closeables.add(g));
            }
            sides.forEach(s -> s.load.forEach(LoadGenerator::start));
            Thread.sleep(500);
            long phase1 = System.nanoTime();
            switchInterleaved(sides, switches, pause, true);
            double phase1Seconds = (System.nanoTime() - phase1) / 1e9;
            sides.forEach(s -> s.load.forEach(LoadGenerator::stop));

            // Phase 2, latency alone: only two Connection: close clients per nginx, so that the load generator's own
            // threads do not starve the switches of CPU (the machine is shared).
            for (Side s : sides) {
                s.probe = add(closeables, LoadGenerator.builder("127.0.0.1", s.port).mode(LoadGenerator.Mode.CLOSE)
                        .connections(2).maxDuration(Duration.ofMinutes(1)).timeout(Duration.ofSeconds(10)).build());
                s.probe.start();
            }
            long phase2 = System.nanoTime();
            switchInterleaved(sides, switches, pause, false);
            double phase2Seconds = (System.nanoTime() - phase2) / 1e9;
            sides.forEach(s -> s.probe.stop());

            // Two nginx switched together (all or nothing, in parallel) against one, no load (the default mode).
            TestNginx second = add(closeables, TestNginx.create(binary, "app"));
            NginxRouter router2 = second.start(always.current());
            TrafficRouter both = CompositeRouter.allOrNothing(always, router2);
            List<Double> single = new ArrayList<>();
            List<Double> pair = new ArrayList<>();
            for (int i = 0; i < parallelRounds; i++) {
                Routing next = always.current().sameTrafficAs(toGreen) ? toBlue : toGreen;
                Routing back = next == toGreen ? toBlue : toGreen;
                long t0 = System.nanoTime();
                always.apply(next);
                single.add((System.nanoTime() - t0) / 1e6);
                router2.apply(next); // untimed: both in step again, so that the pair's switch changes both
                long t1 = System.nanoTime();
                both.apply(back);
                pair.add((System.nanoTime() - t1) / 1e6);
            }

            Side raw = sides.get(sides.size() - 1);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("scenario", name());
            report.put("nginx", binary.toString());
            report.put("switchesEachSidePerPhase", switches);
            report.put("pauseMillis", pause.toMillis());
            report.put("interleaving", "each round switches every side once, order cycling through all 6 permutations");
            report.put("underLoadPhaseSeconds", Stats.round(phase1Seconds));
            report.put("lightLoadPhaseSeconds", Stats.round(phase2Seconds));
            for (Side s : sides) {
                report.put(s.name, s.report());
            }
            Map<String, Object> ratios = new LinkedHashMap<>();
            Map<String, Object> goals = new LinkedHashMap<>();
            boolean ok = true;
            for (Side s : sides.subList(0, sides.size() - 1)) {
                double latency = Stats.ratio(Stats.percentile(s.lightLatency, 50), Stats.percentile(raw.lightLatency, 50));
                long zka = s.load.get(0).failed();
                long rka = raw.load.get(0).failed();
                double keepAliveRatio = rka == 0 ? (zka == 0 ? 1.0 : Double.POSITIVE_INFINITY) : Stats.ratio(zka, rka);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("switchLatencyP50OverRaw", latency);
                r.put("switchLatencyP99OverRaw", Stats.ratio(Stats.percentile(s.lightLatency, 99),
                        Stats.percentile(raw.lightLatency, 99)));
                r.put("switchLatencyUnderLoadP50OverRaw", Stats.ratio(Stats.percentile(s.loadLatency, 50),
                        Stats.percentile(raw.loadLatency, 50)));
                r.put("keepAliveFailedOverRaw", keepAliveRatio);
                ratios.put(s.name, r);
                long closeRetryFailed = s.load.get(1).failed() + s.load.get(2).failed();
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("zeroFailedForCloseAndRetryClients", closeRetryFailed == 0);
                g.put("keepAliveFailuresRatioAtMost1", keepAliveRatio <= 1.0);
                g.put("switchLatencyRatioAtMost1_5", latency <= 1.5);
                g.put("allSwitchesSeen", s.missed == 0);
                goals.put(s.name, g);
                ok &= closeRetryFailed == 0 && s.missed == 0;
            }
            report.put("ratios", ratios);
            Map<String, Object> parallel = new LinkedHashMap<>();
            parallel.put("rounds", parallelRounds);
            parallel.put("oneNginxApplyMs", Stats.summary(single));
            parallel.put("twoNginxAllOrNothingApplyMs", Stats.summary(pair));
            double parallelRatio = Stats.ratio(Stats.percentile(pair, 50), Stats.percentile(single, 50));
            parallel.put("ratioP50", parallelRatio);
            report.put("parallel", parallel);
            report.put("upstreamKeepalive", keepalive);
            goals.put("goalsReferTo", "the default mode, " + sideName(NginxRouter.DEFAULT_VALIDATION)
                    + "; the other modes are reported against the same goals");
            goals.put("parallelRatioAtMost1_3", parallelRatio <= 1.3);
            goals.put("rawCloseAndRetryFailed", raw.load.get(1).failed() + raw.load.get(2).failed());
            report.put("goals", goals);
            report.put("ok", ok);
            print(report, sides);
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

    /**
     * {@code switches} rounds; in each every side switches once (all to the same colour), in an order cycling through
     * all permutations, with {@code pause} after each switch. Latency is measured on the side's {@code Connection:
     * close} clients (phase 1) or probe (phase 2); keep-alive failures are counted per switch, from its start to the
     * next switch of any side.
     */
    private static void switchInterleaved(List<Side> sides, int switches, Duration pause, boolean underLoad)
            throws Exception {
        boolean greenNext = true;
        for (int i = 0; i < switches; i++) {
            boolean toGreenNow = greenNext;
            greenNext = !greenNext;
            String version = toGreenNow ? "green" : "blue";
            for (int index : order(i, sides.size())) {
                Side s = sides.get(index);
                LoadGenerator watch = underLoad ? s.load.get(1) : s.probe;
                long failedBefore = underLoad ? s.load.get(0).failed() : 0;
                watch.mark();
                long t0 = System.nanoTime();
                s.action.switchTo(toGreenNow);
                (underLoad ? s.loadSwitchMs : s.lightSwitchMs).add((System.nanoTime() - t0) / 1e6);
                long latency = watch.awaitVersion(version, LATENCY_LIMIT);
                if (latency < 0) {
                    s.missed++;
                } else {
                    (underLoad ? s.loadLatency : s.lightLatency).add(latency / 1e6);
                }
                Thread.sleep(pause.toMillis());
                if (underLoad) {
                    s.keepAliveFailedPerSwitch.add((double) (s.load.get(0).failed() - failedBefore));
                }
            }
        }
    }

    /**
     * The order of the sides in round {@code i}: the rotations of 0..n-1, then the rotations reversed (2n orders), so
     * that each side is first, last and in between equally often over 2n rounds.
     */
    static int[] order(int i, int n) {
        int k = i % (2 * n);
        int[] out = new int[n];
        for (int j = 0; j < n; j++) {
            int v = (j + k) % n;
            out[j] = k < n ? v : n - 1 - v;
        }
        return out;
    }

    private static String sideName(NginxRouter.Validation v) {
        return switch (v) {
            case ON_RELOAD -> "zddOnReload";
            case ALWAYS -> "zddAlways";
            case STRUCTURAL -> "zddStructural";
        };
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
    private static void writeRaw(Path include, TestBackend backend) throws IOException {
        Files.writeString(include, "upstream raw_app {\n    server " + backend.endpoint().authority() + ";\n}\n",
                StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r, List<Side> sides) {
        System.out.println("nginx-bench: " + r.get("switchesEachSidePerPhase") + " switches of each side per phase,"
                + " interleaved");
        for (String mode : List.of("keepAlive", "close", "retry")) {
            StringBuilder line = new StringBuilder(String.format("  %-9s", mode));
            for (Side s : sides) {
                Map<String, Object> m = (Map<String, Object>) ((Map<String, Object>) r.get(s.name)).get(mode);
                line.append(String.format(" | %s %s req, %s failed %s", s.name, m.get("requests"), m.get("failed"),
                        m.get("failedByKind")));
            }
            System.out.println(line);
        }
        for (Side s : sides) {
            Map<String, Object> m = (Map<String, Object>) r.get(s.name);
            System.out.println("  " + s.name + ": latency light " + m.get("switchLatencyLightLoadMs") + ", under load "
                    + m.get("switchLatencyUnderLoadMs") + ", switch call " + m.get("switchCallLightLoadMs")
                    + (m.containsKey("nginxTestRuns") ? ", nginx -t runs " + m.get("nginxTestRuns") : ""));
        }
        System.out.println("  ratios: " + r.get("ratios"));
        System.out.println("  parallel: " + r.get("parallel"));
        System.out.println("  goals: " + r.get("goals"));
    }

    /** One way of switching one nginx. */
    private interface SwitchAction {
        void switchTo(boolean green) throws Exception;
    }

    /** One nginx, how it is switched, and what was measured on it. */
    private static final class Side {
        final String name;
        final int port;
        final SwitchAction action;
        final Counting counting;
        List<LoadGenerator> load;
        LoadGenerator probe;
        final List<Double> loadLatency = new ArrayList<>();
        final List<Double> lightLatency = new ArrayList<>();
        final List<Double> loadSwitchMs = new ArrayList<>();
        final List<Double> lightSwitchMs = new ArrayList<>();
        final List<Double> keepAliveFailedPerSwitch = new ArrayList<>();
        int missed;

        Side(String name, int port, SwitchAction action, Counting counting) {
            this.name = name;
            this.port = port;
            this.action = action;
            this.counting = counting;
        }

        void resetCounts() {
            if (counting != null) {
                counting.tests.set(0);
                counting.reloads.set(0);
            }
        }

        Map<String, Object> report() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("keepAlive", load.get(0).summary());
            m.put("close", load.get(1).summary());
            m.put("retry", load.get(2).summary());
            m.put("keepAliveFailedPerSwitch", Map.of("mean", Stats.round(keepAliveFailedPerSwitch.stream()
                    .mapToDouble(Double::doubleValue).average().orElse(Double.NaN)),
                    "p50", Stats.percentile(keepAliveFailedPerSwitch, 50),
                    "max", Stats.percentile(keepAliveFailedPerSwitch, 100)));
            m.put("switchLatencyLightLoadMs", Stats.summary(lightLatency));
            m.put("switchLatencyUnderLoadMs", Stats.summary(loadLatency));
            m.put("switchCallLightLoadMs", Stats.summary(lightSwitchMs));
            m.put("switchCallUnderLoadMs", Stats.summary(loadSwitchMs));
            m.put("switchesNotSeenWithin5s", missed);
            if (counting != null) {
                m.put("nginxTestRuns", counting.tests.get());
                m.put("reloads", counting.reloads.get());
            }
            return m;
        }
    }

    /** The real control, counting its calls (to show how often STRUCTURAL skipped {@code nginx -t}). */
    private static final class Counting implements NginxControl {
        final NginxControl real;
        final AtomicInteger tests = new AtomicInteger();
        final AtomicInteger reloads = new AtomicInteger();

        Counting(NginxControl real) {
            this.real = real;
        }

        @Override
        public Result test() {
            tests.incrementAndGet();
            return real.test();
        }

        @Override
        public Result reload() {
            reloads.incrementAndGet();
            return real.reload();
        }
    }
}
