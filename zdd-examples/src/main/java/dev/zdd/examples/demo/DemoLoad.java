package dev.zdd.examples.demo;

import dev.zdd.api.Target;
import dev.zdd.core.router.InProcessRouter;
import dev.zdd.core.router.RequestInfo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's clients: threads that call the service through the {@link InProcessRouter} (client-side load balancing)
 * with real HTTP requests, as a Java service calling its backends would. Each user id belongs to one thread, so the
 * versions a user saw are recorded in order. Counts failures, versions served, and switch latencies (from a routing
 * change to the first answer of a target that change brought in). Bounded: stops at {@link #stop()} or after
 * {@code maxDuration}. Thread-safe.
 */
final class DemoLoad implements AutoCloseable {
    private final InProcessRouter router;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int threads;
    private final int usersPerThread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
    private final Map<String, List<String>> userVersions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final List<Double> switchLatencies = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

    private record Pending(long startNanos, Set<String> newTargets) {
    }

    DemoLoad(InProcessRouter router, int threads, int usersPerThread, Duration maxDuration) {
        this.router = router;
        this.threads = threads;
        this.usersPerThread = usersPerThread;
        long deadline = System.nanoTime() + maxDuration.toNanos();
        for (int i = 0; i < threads; i++) {
            int worker = i;
            Thread t = new Thread(() -> work(worker, deadline), "demo-client-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
    }

    DemoLoad start() {
        workers.forEach(Thread::start);
        return this;
    }

    /** Called right before a routing change that brings {@code newTargets} into service. */
    void switching(long startNanos, Set<String> newTargets) {
        if (!newTargets.isEmpty()) {
            pending.add(new Pending(startNanos, newTargets));
        }
    }

    private void work(int worker, long deadline) {
        long n = 0;
        while (running.get() && System.nanoTime() < deadline) {
            String user = "user-" + (worker + threads * (int) (n++ % usersPerThread));
            long t0 = System.nanoTime();
            InProcessRouter.Lease lease;
            try {
                lease = router.acquire(RequestInfo.ofAttribute("user", user));
            } catch (RuntimeException e) {
                fail("no target: " + e.getMessage());
                continue;
            }
            Target target = lease.target();
            boolean ok = false;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + target.endpoint().authority() + "/"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                ok = r.statusCode() == 200 && r.body().equals(target.version());
                if (!ok) {
                    fail(target.id() + " answered " + r.statusCode() + " " + r.body());
                }
            } catch (Exception e) {
                fail(target.id() + ": " + e);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    lease.complete(false, Duration.ofNanos(System.nanoTime() - t0));
                    return;
                }
            }
            long done = System.nanoTime();
            lease.complete(ok, Duration.ofNanos(done - t0));
            requests.incrementAndGet();
            if (ok) {
                versions.computeIfAbsent(target.version(), v -> new AtomicLong()).incrementAndGet();
                userVersions.computeIfAbsent(user, u -> java.util.Collections.synchronizedList(new ArrayList<>())).add(target.version());
                for (Pending p : pending) {
                    if (p.newTargets().contains(target.id()) && t0 >= p.startNanos() && pending.remove(p)) {
                        switchLatencies.add((done - p.startNanos()) / 1e6);
                    }
                }
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void fail(String why) {
        failed.incrementAndGet();
        if (failures.size() < 20) {
            failures.add(why);
        }
    }

    long requests() {
        return requests.get();
    }

    long failed() {
        return failed.get();
    }

    List<String> failureSamples() {
        return List.copyOf(failures);
    }

    List<Double> switchLatencies() {
        synchronized (switchLatencies) {
            return List.copyOf(switchLatencies);
        }
    }

    Map<String, Long> versions() {
        Map<String, Long> out = new LinkedHashMap<>();
        versions.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Per user, the versions it saw in order. */
    Map<String, List<String>> userVersions() {
        return userVersions;
    }

    /** Forgets counts (not the clients), to measure the next scenario. */
    void reset() {
        requests.set(0);
        failed.set(0);
        versions.clear();
        userVersions.clear();
        pending.clear();
        switchLatencies.clear();
        failures.clear();
    }

    void stop() {
        running.set(false);
        for (Thread t : workers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
