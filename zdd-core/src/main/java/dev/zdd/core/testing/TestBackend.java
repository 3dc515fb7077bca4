package dev.zdd.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.zdd.api.Endpoint;
import dev.zdd.api.Target;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP backend on 127.0.0.1 for tests and demos: one version of a tiny service.
 *
 * <ul>
 *   <li>{@code GET /} (any path but the health path) answers 200 with the version as body and in the
 *       {@code X-Version} header (or 500 while {@link #failRequests(boolean)} is on);</li>
 *   <li>{@code GET /health} answers 200 {@code ok} while healthy, 503 {@code unhealthy} otherwise.</li>
 * </ul>
 * Counts requests and errors. Thread-safe. Close it when done (try-with-resources).
 */
public final class TestBackend implements AutoCloseable {
    static {
        // The JDK server delays small responses by ~40 ms (Nagle) unless told otherwise; read at class init.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Path of the health endpoint. */
    public static final String HEALTH_PATH = "/health";

    private final String version;
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile boolean healthy = true;
    private volatile boolean failRequests;
    private volatile long delayMillis;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong healthChecks = new AtomicLong();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private TestBackend(String version, int port) throws IOException {
        this.version = version;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "zdd-test-backend-" + version + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a backend for {@code version} on an ephemeral port of 127.0.0.1. */
    public static TestBackend start(String version) throws IOException {
        return new TestBackend(version, 0);
    }

    /** Starts a backend for {@code version} on a given port of 127.0.0.1. */
    public static TestBackend start(String version, int port) throws IOException {
        return new TestBackend(version, port);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        long delay = delayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int status;
        String body;
        if (HEALTH_PATH.equals(ex.getRequestURI().getPath())) {
            healthChecks.incrementAndGet();
            status = healthy ? 200 : 503;
            body = healthy ? "ok" : "unhealthy";
        } else {
            requests.incrementAndGet();
            if (failRequests) {
                errors.incrementAndGet();
                status = 500;
                body = "error from " + version;
            } else {
                status = 200;
                body = version;
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("X-Version", version);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The version this backend serves. */
    public String version() {
        return version;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:port}. */
    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port());
    }

    /** A {@link Target} for this backend with the given id. */
    public Target target(String id) {
        return new Target(id, version, endpoint(), Map.of());
    }

    /** A {@link Target} for this backend with the given id and attributes. */
    public Target target(String id, Map<String, String> attributes) {
        return new Target(id, version, endpoint(), attributes);
    }

    /** Makes {@code /health} answer 200 ({@code true}) or 503. */
    public void healthy(boolean value) {
        healthy = value;
    }

    /** Makes ordinary requests answer 500 while on. */
    public void failRequests(boolean value) {
        failRequests = value;
    }

    /** Delays every answer by {@code value}. */
    public void delay(Duration value) {
        delayMillis = value.toMillis();
    }

    /** Ordinary requests served so far. */
    public long requests() {
        return requests.get();
    }

    /** Ordinary requests answered with 500 so far. */
    public long errors() {
        return errors.get();
    }

    /** Health checks served so far. */
    public long healthChecks() {
        return healthChecks.get();
    }

    /** Stops the server at once and releases its port. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TestBackend[" + version + "@" + endpoint() + "]";
    }
}
