package dev.zdd.core.router;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.TestBackend;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads call real HTTP backends through {@link InProcessRouter} leases while the main thread runs repeated
 * canary-then-switch deployments: start a new version, shift 10% / 50% / 100%, drain the old one, wait until its
 * in-flight count is zero, stop it. Not one call may fail. Bounded: 4 threads for about 3 seconds.
 */
class InProcessRouterLoadTest {
    private static final int THREADS = 4;
    private static final Duration RUN = Duration.ofSeconds(3);

    @Test
    void zeroFailedCallsWhileSwitchingUnderLoad() throws Exception {
        InProcessRouter router = InProcessRouter.create();
        OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
        List<TestBackend> live = new ArrayList<>();
        List<TestBackend> all = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<String, AtomicLong> perVersion = new ConcurrentHashMap<>();
        List<Thread> workers = new ArrayList<>();
        int generation = 1;
        try {
            live.add(start("v1", all));
            live.add(start("v1", all));
            List<Target> current = targets(live, 1);
            router.apply(Routing.evenly(current));
            for (int i = 0; i < THREADS; i++) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        RequestInfo req = RequestInfo.ofAttribute("user", "u" + ThreadLocalRandom.current().nextInt(1000));
                        try (InProcessRouter.Lease lease = router.acquire(req)) {
                            Target target = lease.target();
                            Request request = new Request.Builder()
                                    .url("http://" + target.endpoint().authority() + "/work").build();
                            try (Response resp = http.newCall(request).execute()) {
                                String body = resp.body().string();
                                boolean good = resp.code() == 200 && body.equals(target.version());
                                lease.complete(good);
                                if (good) {
                                    ok.incrementAndGet();
                                    perVersion.computeIfAbsent(body, k -> new AtomicLong()).incrementAndGet();
                                } else {
                                    failures.add(target + " answered " + resp.code() + " " + body);
                                }
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }, "load-" + i);
                t.setDaemon(true);
                workers.add(t);
                t.start();
            }
            long end = System.nanoTime() + RUN.toNanos();
            // at least two deployments, then as many as fit in RUN (bounded by 50)
            while (generation < 3 || (System.nanoTime() < end && generation < 50)) {
                generation++;
                String version = "v" + generation;
                List<TestBackend> next = List.of(start(version, all), start(version, all));
                List<Target> nextTargets = targets(next, generation);
                for (int share : new int[] {1000, 5000, 10_000}) {
                    List<Route> routes = new ArrayList<>();
                    routes.add(Route.active(nextTargets.get(0), share / 2));
                    routes.add(Route.active(nextTargets.get(1), share - share / 2));
                    for (Target old : current) {
                        routes.add(share == 10_000 ? Route.draining(old) : Route.active(old, (10_000 - share) / 2));
                    }
                    router.apply(Routing.of(routes));
                    Thread.sleep(60);
                }
                List<Target> old = current;
                await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(5)).until(() ->
                        old.stream().allMatch(t -> router.activeConnections().getOrDefault(t.id(), 0) == 0));
                router.apply(Routing.evenly(nextTargets));
                for (TestBackend b : live) {
                    b.close(); // the old version stops only after its last in-flight call finished
                }
                live.clear();
                live.addAll(next);
                current = nextTargets;
            }
        } finally {
            stop.set(true);
            for (Thread t : workers) {
                t.join(10_000);
            }
            for (TestBackend b : all) {
                b.close();
            }
        }
        assertEquals(List.of(), failures.subList(0, Math.min(10, failures.size())), failures.size() + " failed calls");
        assertTrue(ok.get() > 0, "no call succeeded");
        long counted = router.current().routes().stream().mapToLong(rt -> router.requests().totals(rt.target()).requests()).sum();
        assertTrue(counted > 0 && counted <= ok.get(), "requests of current targets " + counted + " vs ok " + ok.get());
        System.out.printf("[zdd] in-process router load: %d ok calls, 0 failed, %d deployments, per version %s%n",
                ok.get(), generation - 1, perVersion);
    }

    private static TestBackend start(String version, List<TestBackend> all) throws Exception {
        TestBackend b = TestBackend.start(version);
        all.add(b);
        return b;
    }

    private static List<Target> targets(List<TestBackend> backends, int generation) {
        List<Target> out = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            out.add(backends.get(i).target("g" + generation + "-" + i));
        }
        return out;
    }
}
