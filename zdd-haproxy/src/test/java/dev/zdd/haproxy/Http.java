package dev.zdd.haproxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Small HTTP helpers for integration tests: one request, or bounded background load counting failures. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Http() {
    }

    /** GET / with headers; returns "status version". */
    static String get(int port, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body().trim() : "status_" + r.statusCode();
    }

    static String get(int port) throws IOException, InterruptedException {
        return get(port, Map.of());
    }

    /** Background load on several threads until stopped or a bound is hit. */
    static final class Load implements AutoCloseable {
        final AtomicLong ok = new AtomicLong();
        final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread[] threads;

        Load(int port, int threadCount, Duration max) {
            long deadline = System.nanoTime() + max.toNanos();
            threads = new Thread[threadCount];
            for (int i = 0; i < threadCount; i++) {
                threads[i] = new Thread(() -> {
                    while (running.get() && System.nanoTime() < deadline) {
                        try {
                            String v = get(port);
                            if (v.startsWith("status_")) {
                                failures.computeIfAbsent(v, k -> new AtomicLong()).incrementAndGet();
                            } else {
                                ok.incrementAndGet();
                                versions.computeIfAbsent(v, k -> new AtomicLong()).incrementAndGet();
                            }
                        } catch (IOException e) {
                            failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "it-load-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
        }

        long failed() {
            return failures.values().stream().mapToLong(AtomicLong::get).sum();
        }

        /** Stops the load and waits (at most 10 s per thread) for the requests in flight. */
        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        @Override
        public void close() {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
