package dev.zdd.examples.ssh;

import dev.zdd.api.Endpoint;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.examples.Args;
import dev.zdd.examples.Scenario;
import dev.zdd.examples.support.LoadGenerator;
import dev.zdd.examples.support.Stats;
import dev.zdd.ssh.testing.TestRemoteNginx;
import dev.zdd.ssh.testing.TestSshLab;
import dev.zdd.ssh.testing.TestTopology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code multi-host}: the classic topology on simulated hosts (each its own loopback address, sshd, unix user): two
 * nginx hosts in front of two app hosts, everything reached only over SSH. Blue (1.0) and green (2.0) run on both app
 * hosts; traffic switches between them N times through zdd ({@code NginxRouter} per nginx host over zdd-ssh, both
 * through {@code CompositeRouter.allOrNothing}, in parallel), and, side by side in the same run on a second nginx
 * per host, the script way: {@code ssh} (the OpenSSH client, a new connection each time) to each nginx host in turn,
 * rewrite the include, {@code nginx -s reload}. Continuous load of keep-alive, {@code Connection: close} and retrying
 * clients on all four nginx. Then, without load, one nginx host against two in parallel. Bounded: about 2 minutes
 * with the defaults. Not thread-safe (run once).
 */
public final class MultiHostBench implements Scenario {
    /** Default number of switches of each side under load. */
    public static final int DEFAULT_SWITCHES = 12;
    /** Default pause after each switch. */
    public static final Duration DEFAULT_PAUSE = Duration.ofMillis(300);
    private static final Duration LATENCY_LIMIT = Duration.ofSeconds(10);
    private static final String SERVICE = "shop";

    @Override
    public String name() {
        return "multi-host";
    }

    @Override
    public String description() {
        return "two nginx hosts and two app hosts over ssh (simulated on loopback): zdd vs an ssh+reload script,"
                + " under load; one host vs two in parallel";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        int switches = args.getInt("switches", DEFAULT_SWITCHES);
        int parallelRounds = args.getInt("parallel-rounds", 10);
        int keepAlive = args.getInt("keepalive-connections", 6);
        int close = args.getInt("close-connections", 2);
        int retry = args.getInt("retry-connections", 3);
        Duration pause = args.getDuration("pause", DEFAULT_PAUSE);
        if (switches < 10 || switches > 60) {
            throw new IllegalArgumentException("--switches must be in [10, 60], was " + switches);
        }
        if (parallelRounds < 1 || parallelRounds > 50) {
            throw new IllegalArgumentException("--parallel-rounds must be in [1, 50], was " + parallelRounds);
        }
        Optional<TestTopology> started = TestTopology.start(SERVICE, "1.0", List.of("1.0", "2.0"), 1);
        if (started.isEmpty()) {
            throw new IllegalStateException("needs sshd, nginx and busybox (apt-get install openssh-server nginx"
                    + " busybox-static) and root");
        }
        List<AutoCloseable> closeables = new ArrayList<>();
        try (TestTopology topo = started.get()) {
            try {
                return measure(topo, closeables, switches, parallelRounds, keepAlive, close, retry, pause);
            } finally {
                // before the topology closes its pool and removes the hosts' files: the script's nginx go first
                for (int i = closeables.size() - 1; i >= 0; i--) {
                    try {
                        closeables.get(i).close();
                    } catch (Exception e) {
                        System.err.println("closing " + closeables.get(i) + ": " + e);
                    }
                }
            }
        }
    }

    private Map<String, Object> measure(TestTopology topo, List<AutoCloseable> closeables, int switches,
                                        int parallelRounds, int keepAlive, int close, int retry, Duration pause)
            throws Exception {
        {
            Routing blue = topo.initialRouting();
            List<Route> greenRoutes = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                Target g = topo.launcher().launch(new LaunchRequest(SERVICE, SERVICE + "-green-" + i, "2.0",
                        Map.of(Target.COLOUR, "green")));
                greenRoutes.add(Route.active(g, 5000));
            }
            List<Route> both = new ArrayList<>(greenRoutes);
            blue.routes().forEach(r -> both.add(Route.disabled(r.target())));
            Routing toGreen = Routing.of(both.toArray(Route[]::new));
            List<Route> backRoutes = new ArrayList<>(blue.routes());
            greenRoutes.forEach(r -> backRoutes.add(Route.disabled(r.target())));
            Routing toBlue = Routing.of(backRoutes.toArray(Route[]::new));
            TrafficRouter zddBoth = topo.router();
            zddBoth.apply(toBlue);

            // the script's own nginx on each nginx host, with a hand-written include
            TestSshLab lab = topo.lab();
            List<TestRemoteNginx> scripted = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                scripted.add(add(closeables, TestRemoteNginx.startScripted(topo.pool(), lab.host(i), "script",
                        include(blue))));
            }
            Script script = new Script(lab, scripted);

            Side zdd = new Side("zdd", List.of(topo.nginx(0).proxy(), topo.nginx(1).proxy()),
                    green -> zddBoth.apply(green ? toGreen : toBlue));
            Side raw = new Side("script", List.of(scripted.get(0).proxy(), scripted.get(1).proxy()),
                    green -> script.switchAll(include(green ? toGreen : toBlue)));
            List<Side> sides = List.of(zdd, raw);
            // warm-up, not measured
            for (int i = 0; i < 2; i++) {
                for (Side s : sides) {
                    s.action.switchTo(i % 2 == 0);
                }
            }

            for (Side s : sides) {
                for (Endpoint e : s.proxies) {
                    List<LoadGenerator> g = load(e, keepAlive, close, retry);
                    g.forEach(closeables::add);
                    s.load.add(g);
                }
            }
            sides.forEach(s -> s.load.forEach(l -> l.forEach(LoadGenerator::start)));
            Thread.sleep(500);
            long phase1 = System.nanoTime();
            boolean green = true;
            for (int i = 0; i < switches; i++) {
                List<Side> order = i % 2 == 0 ? sides : List.of(raw, zdd);
                for (Side s : order) {
                    s.switchMeasured(green);
                    Thread.sleep(pause.toMillis());
                }
                green = !green;
            }
            double phase1Seconds = (System.nanoTime() - phase1) / 1e9;
            sides.forEach(s -> s.load.forEach(l -> l.forEach(LoadGenerator::stop)));

            // one nginx host against two in parallel (zdd), and the script's one and two hosts, no load
            TrafficRouter zddOne = topo.nginx(0).router();
            TrafficRouter zddOther = topo.nginx(1).router();
            List<Double> zddSingle = new ArrayList<>();
            List<Double> zddPair = new ArrayList<>();
            List<Double> scriptSingle = new ArrayList<>();
            List<Double> scriptPair = new ArrayList<>();
            for (int i = 0; i < parallelRounds; i++) {
                Routing next = zddOne.current().sameTrafficAs(toGreen) ? toBlue : toGreen;
                Routing back = next == toGreen ? toBlue : toGreen;
                long t0 = System.nanoTime();
                zddOne.apply(next);
                zddSingle.add(ms(t0));
                zddOther.apply(next); // untimed: both in step again
                long t1 = System.nanoTime();
                zddBoth.apply(back);
                zddPair.add(ms(t1));
                long t2 = System.nanoTime();
                script.switchOne(0, include(next));
                scriptSingle.add(ms(t2));
                script.switchOne(1, include(next));
                long t3 = System.nanoTime();
                script.switchAll(include(back));
                scriptPair.add(ms(t3));
            }

            Map<String, Object> report = new LinkedHashMap<>();
            report.put("scenario", name());
            report.put("topology", "2 nginx hosts + 2 app hosts, each its own 127.x.y.z address, sshd and unix user");
            report.put("hosts", lab.hosts().stream().map(h -> h.name() + "=" + h.sshHost()).toList());
            report.put("switchesEachSide", switches);
            report.put("pauseMillis", pause.toMillis());
            report.put("underLoadPhaseSeconds", Stats.round(phase1Seconds));
            for (Side s : sides) {
                report.put(s.name, s.report());
            }
            Map<String, Object> parallel = new LinkedHashMap<>();
            parallel.put("rounds", parallelRounds);
            parallel.put("zddOneHostApplyMs", Stats.summary(zddSingle));
            parallel.put("zddTwoHostsParallelApplyMs", Stats.summary(zddPair));
            double ratio = Stats.ratio(Stats.percentile(zddPair, 50), Stats.percentile(zddSingle, 50));
            parallel.put("zddTwoHostsOverOneHostP50", ratio);
            parallel.put("zddTwoHostsOverOneHostP99", Stats.ratio(Stats.percentile(zddPair, 99),
                    Stats.percentile(zddSingle, 99)));
            parallel.put("scriptOneHostMs", Stats.summary(scriptSingle));
            parallel.put("scriptTwoHostsSequentialMs", Stats.summary(scriptPair));
            double zddOverScript = Stats.ratio(Stats.percentile(zddPair, 50), Stats.percentile(scriptPair, 50));
            parallel.put("zddTwoHostsOverScriptTwoHostsP50", zddOverScript);
            report.put("parallel", parallel);

            long zddCloseRetryFailed = zdd.failed(1) + zdd.failed(2);
            long zddKeepAlive = zdd.failed(0);
            long rawKeepAlive = raw.failed(0);
            double zddOverScriptUnderLoad = Stats.ratio(Stats.percentile(zdd.switchCallMs, 50),
                    Stats.percentile(raw.switchCallMs, 50));
            Map<String, Object> goals = new LinkedHashMap<>();
            goals.put("zeroFailedForCloseAndRetryClients", zddCloseRetryFailed == 0);
            goals.put("keepAliveFailedNoMoreThanScript", zddKeepAlive <= rawKeepAlive);
            goals.put("twoHostsParallelAtMost1_3xOneHost", ratio <= 1.3);
            goals.put("zddTwoHostsNoSlowerThanScriptSequential", zddOverScript <= 1.0);
            goals.put("zddTwoHostsNoSlowerThanScriptSequentialUnderLoad", zddOverScriptUnderLoad <= 1.0);
            goals.put("zddSwitchCallOverScriptUnderLoadP50", zddOverScriptUnderLoad);
            goals.put("allSwitchesSeen", zdd.missed == 0 && raw.missed == 0);
            report.put("goals", goals);
            report.put("ok", zddCloseRetryFailed == 0 && zdd.missed == 0);
            print(report);
            return report;
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> list, T c) {
        list.add(c);
        return c;
    }

    /** The hand-written include of the script way: an upstream of the serving targets. */
    private static String include(Routing routing) {
        StringBuilder sb = new StringBuilder("upstream script_raw {\n");
        for (Route r : routing.routes()) {
            if (r.weight() > 0 && r.state() == dev.zdd.api.RouteState.ACTIVE) {
                sb.append("    server ").append(r.target().endpoint().authority()).append(";\n");
            }
        }
        return sb.append("}\n").toString();
    }

    /** Index 0 keep-alive, 1 close, 2 retry. */
    private static List<LoadGenerator> load(Endpoint e, int keepAlive, int close, int retry) {
        Duration bound = Duration.ofMinutes(3);
        Duration timeout = Duration.ofSeconds(10);
        return List.of(
                LoadGenerator.builder(e.host(), e.port()).mode(LoadGenerator.Mode.KEEP_ALIVE).connections(keepAlive)
                        .maxDuration(bound).timeout(timeout).build(),
                LoadGenerator.builder(e.host(), e.port()).mode(LoadGenerator.Mode.CLOSE).connections(close)
                        .maxDuration(bound).timeout(timeout).build(),
                LoadGenerator.builder(e.host(), e.port()).mode(LoadGenerator.Mode.RETRY).connections(retry)
                        .maxDuration(bound).timeout(timeout).build());
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r) {
        System.out.println("multi-host: " + r.get("switchesEachSide") + " switches of each side under load, "
                + r.get("hosts"));
        for (String side : List.of("zdd", "script")) {
            Map<String, Object> m = (Map<String, Object>) r.get(side);
            System.out.println("  " + side + ": requests/failed keepAlive " + m.get("keepAlive") + ", close "
                    + m.get("close") + ", retry " + m.get("retry"));
            System.out.println("  " + side + ": switch call under load " + m.get("switchCallMs") + ", both nginx serve"
                    + " the new version after " + m.get("switchLatencyMs"));
        }
        System.out.println("  parallel: " + r.get("parallel"));
        System.out.println("  goals: " + r.get("goals"));
    }

    /** The deploy script: one {@code ssh} per nginx host, in turn: rewrite the include, reload. */
    private static final class Script {
        private final TestSshLab lab;
        private final List<TestRemoteNginx> nginx;

        Script(TestSshLab lab, List<TestRemoteNginx> nginx) {
            this.lab = lab;
            this.nginx = nginx;
        }

        void switchAll(String include) throws IOException, InterruptedException {
            for (int i = 0; i < nginx.size(); i++) {
                switchOne(i, include);
            }
        }

        void switchOne(int i, String include) throws IOException, InterruptedException {
            TestRemoteNginx n = nginx.get(i);
            String remote = "cat > " + n.includeFile() + " && " + String.join(" ", n.command("-s", "reload"));
            Process p = new ProcessBuilder("ssh", "-i", lab.clientKey().toString(),
                    "-o", "UserKnownHostsFile=" + lab.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                    "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", String.valueOf(n.host().port()),
                    n.host().user() + "@" + n.host().address(), remote).redirectErrorStream(true).start();
            p.getOutputStream().write(include.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("the script's ssh to " + n.host() + " timed out");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("the script's ssh to " + n.host() + " failed (exit " + p.exitValue() + "): " + out);
            }
        }
    }

    /** How one side switches. */
    private interface SwitchAction {
        void switchTo(boolean green) throws Exception;
    }

    /** One way of switching both nginx hosts, and what was measured on it. */
    private static final class Side {
        final String name;
        final List<Endpoint> proxies;
        final SwitchAction action;
        final List<List<LoadGenerator>> load = new ArrayList<>();
        final List<Double> switchCallMs = new ArrayList<>();
        final List<Double> latencyMs = new ArrayList<>();
        int missed;

        Side(String name, List<Endpoint> proxies, SwitchAction action) {
            this.name = name;
            this.proxies = proxies;
            this.action = action;
        }

        /** Switches, timing the call and the time until both nginx served the new version (close clients). */
        void switchMeasured(boolean green) throws Exception {
            String version = green ? "2.0" : "1.0";
            load.forEach(l -> l.get(1).mark());
            long t0 = System.nanoTime();
            action.switchTo(green);
            switchCallMs.add(ms(t0));
            long worst = 0;
            for (List<LoadGenerator> l : load) {
                long latency = l.get(1).awaitVersion(version, LATENCY_LIMIT);
                if (latency < 0) {
                    missed++;
                    return;
                }
                worst = Math.max(worst, latency);
            }
            latencyMs.add(worst / 1e6);
        }

        long failed(int kind) {
            return load.stream().mapToLong(l -> l.get(kind).failed()).sum();
        }

        Map<String, Object> report() {
            Map<String, Object> m = new LinkedHashMap<>();
            String[] kinds = {"keepAlive", "close", "retry"};
            for (int k = 0; k < 3; k++) {
                Map<String, Object> c = new LinkedHashMap<>();
                int kind = k;
                c.put("requests", load.stream().mapToLong(l -> l.get(kind).ok() + l.get(kind).failed()).sum());
                c.put("failed", failed(k));
                c.put("retried", load.stream().mapToLong(l -> l.get(kind).retried()).sum());
                Map<String, Long> byKind = new LinkedHashMap<>();
                load.forEach(l -> l.get(kind).failuresByKind().forEach((f, n) -> byKind.merge(f, n, Long::sum)));
                c.put("failedByKind", byKind);
                m.put(kinds[k], c);
            }
            m.put("switchCallMs", Stats.summary(switchCallMs));
            m.put("switchLatencyMs", Stats.summary(latencyMs));
            m.put("switchesNotSeenWithin10s", missed);
            return m;
        }
    }
}
