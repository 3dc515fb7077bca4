package dev.zdd.examples.failover;

import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.guard.Guard;
import dev.zdd.core.guard.GuardEvent;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.router.InProcessRouter;
import dev.zdd.core.router.OutlierDetection;
import dev.zdd.core.router.RequestInfo;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.examples.Args;
import dev.zdd.examples.Scenario;
import dev.zdd.examples.support.LoadGenerator;
import dev.zdd.haproxy.HaproxyRouter;
import dev.zdd.haproxy.ServerState;
import dev.zdd.haproxy.StatRow;
import dev.zdd.haproxy.testing.LocalHaproxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@code failover}: three backends (busybox httpd processes) under continuous load behind (a) the in-process router
 * with the guard, passive outlier detection and retries of idempotent calls, (b) a real HAProxy with its own
 * {@code check} and zdd's router, (c) a real HAProxy with zdd's guard only. One backend is killed with SIGKILL, left
 * down, started again. Per setup: requests, failed, ejectMs (kill to the last request that reached the dead backend,
 * HAProxy's retries of requests already sent to it included), reinstateMs (restart to its first request again),
 * outOfRotationMs / backInRotationMs (kill to the balancer taking it out: HAProxy marks it not serving, or the guard or
 * outlier detection ejects it; restart to back in), and what is left out of rotation at the end. Then a blue-green
 * switch whose new colour starts failing during the verification window (see {@link VerificationPart}). Not
 * thread-safe (one run at a time).
 */
public final class Failover implements Scenario {
    @Override
    public String name() {
        return "failover";
    }

    @Override
    public String description() {
        return "kill -9 one of three backends under load: in-process+guard, HAProxy check, HAProxy+guard; verification rollback";
    }

    @Override
    public Map<String, Object> run(Args args) throws Exception {
        Duration period = args.getDuration("probe-period", Duration.ofMillis(200));
        Duration down = args.getDuration("down", Duration.ofSeconds(3));
        Duration after = args.getDuration("after", Duration.ofSeconds(3));
        Path busybox = IntegrationEnvironment.locate("busybox")
                .orElseThrow(() -> new IllegalStateException("busybox is not installed (apt-get install busybox-static)"));
        Path haproxy = IntegrationEnvironment.locate("haproxy")
                .orElseThrow(() -> new IllegalStateException("haproxy is not installed (apt-get install haproxy)"));
        Path dir = Files.createTempDirectory("zdd-failover");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("probePeriodMs", period.toMillis());
        report.put("downMs", down.toMillis());
        List<Map<String, Object>> setups = new ArrayList<>();
        setups.add(inProcess(busybox, dir.resolve("a"), period, down, after));
        setups.add(behindHaproxy(busybox, haproxy, dir.resolve("b"), period, down, after, true));
        setups.add(behindHaproxy(busybox, haproxy, dir.resolve("c"), period, down, after, false));
        report.put("setups", setups);
        for (Map<String, Object> s : setups) {
            System.out.printf("%-28s requests %7s  failed %5s  ejectMs %6s  reinstateMs %6s  outOfRotationMs %5s  "
                    + "backInRotationMs %5s  leftOut %s%n", s.get("setup"), s.get("requests"), s.get("failed"),
                    s.get("ejectMs"), s.get("reinstateMs"), s.get("outOfRotationMs"), s.get("backInRotationMs"),
                    s.get("leftOut"));
        }
        Map<String, Object> verification = new VerificationPart(haproxy, dir.resolve("v"), period).run();
        report.put("verification", verification);
        System.out.println("verification window: first failure to traffic back on the old colour "
                + verification.get("failureToOldColourMs") + " ms, failed requests " + verification.get("failedRequests")
                + ", deployment " + verification.get("status"));
        return report;
    }

    static ProbePolicy policy(Duration period) {
        return ProbePolicy.builder().period(period).timeout(Duration.ofSeconds(1))
                .failureThreshold(2).successThreshold(2).build();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static List<ProcessBackend> backends(Path busybox, Path dir) throws Exception {
        List<ProcessBackend> out = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            ProcessBackend b = new ProcessBackend(busybox, dir.resolve("b" + i), "b" + i, freePort());
            b.start();
            out.add(b);
        }
        return out;
    }

    // ---------------------------------------------------------------- (a) in-process router + guard

    private Map<String, Object> inProcess(Path busybox, Path dir, Duration period, Duration down, Duration after)
            throws Exception {
        List<ProcessBackend> backends = backends(busybox, dir);
        InProcessRouter router = InProcessRouter.builder().outlierDetection(OutlierDetection.builder()
                .consecutiveFailures(3).baseEjectionTime(Duration.ofSeconds(1)).maxEjectionTime(Duration.ofSeconds(10))
                .build()).build();
        router.apply(Routing.evenly(backends.stream().map(ProcessBackend::target).toList()));
        List<String> events = new ArrayList<>();
        Guard guard = Guard.builder(router, HttpProbe.create()).policy(policy(period))
                .listener(e -> record(events, e)).build().start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong requests = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    requests.incrementAndGet();
                    try {
                        router.call(RequestInfo.EMPTY, true, target -> get(http, target));
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            }, "failover-load-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        ProcessBackend victim = backends.get(1);
        Map<String, Object> out;
        try {
            out = killAndRestart("in-process router + guard", victim,
                    () -> router.requests().totals(victim.name()).requests(),
                    () -> !router.ejected().contains(victim.name())
                            && router.current().route(victim.name()).map(Route::serving).orElse(false), down, after,
                    () -> { });
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(5000);
            }
        }
        Set<String> left = new LinkedHashSet<>(router.ejected());
        left.addAll(guard.ejected());
        for (Route r : router.current().routes()) {
            if (!r.serving()) {
                left.add(r.target().id());
            }
        }
        guard.close();
        for (ProcessBackend b : backends) {
            b.close();
        }
        out.put("requests", requests.get());
        out.put("failed", failed.get());
        out.put("retriesOfIdempotentCalls", "up to " + InProcessRouter.DEFAULT_RETRY_ATTEMPTS + " attempts on distinct targets");
        out.put("leftOut", List.copyOf(left));
        out.put("guardEvents", events);
        return out;
    }

    static String get(HttpClient http, Target t) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + t.endpoint().authority() + "/"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("status " + r.statusCode());
        }
        return r.body();
    }

    static void record(List<String> events, GuardEvent e) {
        if (!(e instanceof GuardEvent.Probed)) {
            synchronized (events) {
                events.add(e.getClass().getSimpleName() + ": " + e.describe());
            }
        }
    }

    // ---------------------------------------------------------------- (b, c) real HAProxy

    private Map<String, Object> behindHaproxy(Path busybox, Path exe, Path dir, Duration period, Duration down,
                                              Duration after, boolean haproxyChecks) throws Exception {
        List<ProcessBackend> backends = backends(busybox, dir);
        LocalHaproxy.Builder hb = LocalHaproxy.builder(exe, dir);
        if (haproxyChecks) {
            hb.backendLines("option httpchk GET /health").serverOptions("check inter " + period.toMillis() + " fall 2 rise 2");
        }
        for (ProcessBackend b : backends) {
            hb.server(b.name(), b.endpoint(), 256, true);
        }
        List<String> events = new ArrayList<>();
        try (LocalHaproxy h = hb.start()) {
            HaproxyRouter.Builder rb = HaproxyRouter.builder(h.client(), LocalHaproxy.BACKEND).stateFile(dir.resolve("zdd.state"));
            for (ProcessBackend b : backends) {
                rb.server(b.name(), b.target());
            }
            HaproxyRouter router = rb.build();
            Routing table = Routing.evenly(backends.stream().map(ProcessBackend::target).toList());
            router.apply(table);
            Guard guard = haproxyChecks ? null : Guard.builder(router, HttpProbe.create()).policy(policy(period))
                    .listener(e -> record(events, e)).build().start();
            ProcessBackend victim = backends.get(1);
            LoadGenerator load = LoadGenerator.builder("127.0.0.1", h.frontendPort()).connections(8)
                    .mode(LoadGenerator.Mode.KEEP_ALIVE).maxDuration(Duration.ofMinutes(2)).maxRequests(50_000_000)
                    .build().start();
            Map<String, Object> out;
            List<String> seenWhileDown = new ArrayList<>();
            Runnable whileDown = () -> {
                if (haproxyChecks) {
                    // what a rollback does while a server is down by its check: restore the table read then
                    Routing snapshot = router.current();
                    snapshot.routes().forEach(r -> seenWhileDown.add(r.target().id() + "=" + r.state() + "/"
                            + r.weight() + "/" + r.health()));
                    router.apply(snapshot);
                }
            };
            try {
                out = killAndRestart(haproxyChecks ? "HAProxy check + zdd router" : "HAProxy + zdd guard only", victim,
                        () -> stot(h, victim.name()), () -> serving(h, victim.name()), down, after, whileDown);
            } finally {
                load.stop();
            }
            if (haproxyChecks) {
                out.put("tableReadAndRestoredWhileDown", seenWhileDown);
            }
            Set<String> left = new LinkedHashSet<>();
            for (ServerState s : h.client().showServersState(LocalHaproxy.BACKEND)) {
                if (!s.serving()) {
                    left.add(s.serverName() + (s.inMaintenance() ? " (maint)" : " (down)"));
                }
            }
            if (guard != null) {
                left.addAll(guard.ejected());
                guard.close();
            }
            Map<String, Object> summary = load.summary();
            out.put("requests", summary.get("requests"));
            out.put("failed", summary.get("failed"));
            out.put("failedByKind", summary.get("failedByKind"));
            out.put("leftOut", List.copyOf(left));
            out.put("guardEvents", events);
            return out;
        } finally {
            for (ProcessBackend b : backends) {
                b.close();
            }
        }
    }

    static boolean serving(LocalHaproxy h, String server) {
        for (ServerState s : h.client().showServersState(LocalHaproxy.BACKEND)) {
            if (s.serverName().equals(server)) {
                return s.serving();
            }
        }
        return false;
    }

    static long stot(LocalHaproxy h, String server) {
        for (StatRow r : h.client().showServerStat(LocalHaproxy.BACKEND)) {
            if (r.isServer() && r.name().equals(server)) {
                return r.stot();
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------- the kill and the restart

    /**
     * Warms up 1.5 s, kills the victim, waits {@code down}, restarts it, waits {@code after}; a sampler watches the
     * victim's request counter every 5 ms. ejectMs: kill to the last increase before the restart; reinstateMs: restart
     * to the first increase after it (-1: never).
     */
    static Map<String, Object> killAndRestart(String setup, ProcessBackend victim, LongSupplier attempts,
                                              java.util.function.BooleanSupplier inRotation, Duration down,
                                              Duration after, Runnable whileDown) throws Exception {
        Thread.sleep(1500);
        long[] lastChange = {0};
        long[] firstAfterRestart = {-1};
        long[] restartAt = {Long.MAX_VALUE};
        long[] previous = {attempts.getAsLong()};
        long[] outAt = {-1};
        long[] backAt = {-1};
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                long n;
                boolean rotating;
                try {
                    n = attempts.getAsLong();
                    rotating = inRotation.getAsBoolean();
                } catch (RuntimeException e) {
                    continue;
                }
                long now = System.nanoTime();
                if (!rotating && outAt[0] < 0) {
                    outAt[0] = now;
                }
                if (rotating && outAt[0] >= 0 && now >= restartAt[0] && backAt[0] < 0) {
                    backAt[0] = now;
                }
                if (n != previous[0]) {
                    previous[0] = n;
                    if (now < restartAt[0]) {
                        lastChange[0] = now;
                    } else if (firstAfterRestart[0] < 0) {
                        firstAfterRestart[0] = now;
                    }
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "failover-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long killAt = System.nanoTime();
        lastChange[0] = killAt;
        victim.kill9();
        Thread.sleep(down.toMillis() / 2);
        whileDown.run();
        Thread.sleep(down.toMillis() - down.toMillis() / 2);
        restartAt[0] = System.nanoTime();
        victim.start();
        Thread.sleep(after.toMillis());
        sampling.set(false);
        sampler.join(2000);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("setup", setup);
        out.put("ejectMs", Math.max(0, (lastChange[0] - killAt) / 1_000_000));
        out.put("reinstateMs", firstAfterRestart[0] < 0 ? -1 : (firstAfterRestart[0] - restartAt[0]) / 1_000_000);
        out.put("outOfRotationMs", outAt[0] < 0 ? -1 : (outAt[0] - killAt) / 1_000_000);
        out.put("backInRotationMs", backAt[0] < 0 ? -1 : (backAt[0] - restartAt[0]) / 1_000_000);
        return out;
    }
}
