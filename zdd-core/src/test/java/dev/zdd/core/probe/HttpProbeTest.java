package dev.zdd.core.probe;

import com.sun.net.httpserver.HttpServer;
import dev.zdd.api.HealthResult;
import dev.zdd.api.HealthStatus;
import dev.zdd.api.Target;
import dev.zdd.core.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HttpProbe} against real HTTP servers on 127.0.0.1. */
class HttpProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String SECRET = "Bearer s3cr3t-t0ken-value";

    private static TestBackend backend;
    private static HttpServer custom;

    @BeforeAll
    static void start() throws IOException {
        backend = TestBackend.start("1.0");
        custom = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        custom.createContext("/secure", ex -> {
            boolean ok = SECRET.equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (ok ? "welcome" : "denied").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ok ? 200 : 401, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        custom.createContext("/host", ex -> {
            byte[] body = ("host=" + ex.getRequestHeaders().getFirst("Host")).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        custom.createContext("/redirect", ex -> {
            ex.getResponseHeaders().set("Location", "/elsewhere");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        custom.start();
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
        if (custom != null) {
            custom.stop(0);
        }
    }

    private static Target customTarget() {
        return Target.of("c", "1.0", "127.0.0.1", custom.getAddress().getPort());
    }

    @Test
    void healthyBackend() {
        backend.healthy(true);
        HealthResult r = HttpProbe.create().check(backend.target("a"), TIMEOUT);
        assertEquals(HealthResult.healthy(), r);
    }

    @Test
    void unhealthyBackendGivesActionableReason() {
        backend.healthy(false);
        try {
            HealthResult r = HttpProbe.create().check(backend.target("a"), TIMEOUT);
            assertEquals(HealthStatus.UNHEALTHY, r.status());
            assertEquals("GET http://127.0.0.1:" + backend.port() + "/health -> 503 (expected 200-399): unhealthy", r.reason());
        } finally {
            backend.healthy(true);
        }
    }

    @Test
    void bodyContainsAndRegex() {
        Target t = backend.target("a");
        assertTrue(HttpProbe.builder().bodyContains("ok").build().check(t, TIMEOUT).isHealthy());
        HealthResult miss = HttpProbe.builder().bodyContains("UP").build().check(t, TIMEOUT);
        assertEquals("GET http://127.0.0.1:" + backend.port() + "/health -> 200: body does not contain 'UP': ok", miss.reason());
        assertTrue(HttpProbe.builder().path("/").bodyMatches("^1\\.\\d$").build().check(t, TIMEOUT).isHealthy());
        HealthResult noMatch = HttpProbe.builder().path("/").bodyMatches("^2\\.").build().check(t, TIMEOUT);
        assertEquals("GET http://127.0.0.1:" + backend.port() + "/ -> 200: body does not match /^2\\./: 1.0", noMatch.reason());
    }

    @Test
    void responseHeaders() {
        Target t = backend.target("a");
        assertTrue(HttpProbe.builder().expectHeader("X-Version").build().check(t, TIMEOUT).isHealthy());
        assertTrue(HttpProbe.builder().expectHeader("x-version", "1\\.0").build().check(t, TIMEOUT).isHealthy());
        HealthResult missing = HttpProbe.builder().expectHeader("X-Ready").build().check(t, TIMEOUT);
        assertEquals("GET http://127.0.0.1:" + backend.port() + "/health -> 200: response header X-Ready missing", missing.reason());
        HealthResult wrong = HttpProbe.builder().expectHeader("X-Version", "2\\..*").build().check(t, TIMEOUT);
        assertEquals("GET http://127.0.0.1:" + backend.port() + "/health -> 200: response header X-Version '1.0' does not match /2\\..*/",
                wrong.reason());
    }

    @Test
    void requestHeaderIsSentButNeverShown() {
        HttpProbe withSecret = HttpProbe.builder().path("/secure").header("Authorization", SECRET).build();
        assertTrue(withSecret.check(customTarget(), TIMEOUT).isHealthy());
        HttpProbe wrongSecret = HttpProbe.builder().path("/secure").header("Authorization", "Bearer wrong-value").build();
        HealthResult denied = wrongSecret.check(customTarget(), TIMEOUT);
        assertEquals("GET http://127.0.0.1:" + custom.getAddress().getPort() + "/secure -> 401 (expected 200-399): denied",
                denied.reason());
        assertFalse(withSecret.toString().contains("s3cr3t"), withSecret.toString());
        assertTrue(withSecret.toString().contains("Authorization"), withSecret.toString());
        assertEquals(List.of("Authorization"), withSecret.requestHeaderNames());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> HttpProbe.builder().header("Authorization", "Bearer s3cr3t\r\nX-Injected: 1"));
        assertFalse(bad.getMessage().contains("s3cr3t"), bad.getMessage());
        assertTrue(bad.getMessage().contains("Authorization"), bad.getMessage());
    }

    @Test
    void hostOverride() {
        HealthResult r = HttpProbe.builder().path("/host").host("app.example.com").bodyContains("host=app.example.com")
                .build().check(customTarget(), TIMEOUT);
        assertTrue(r.isHealthy(), r.reason());
        assertThrows(IllegalArgumentException.class, () -> HttpProbe.builder().host("evil.com\r\nX: y"));
        assertThrows(IllegalArgumentException.class, () -> HttpProbe.builder().header("Host", "x"));
    }

    @Test
    void statusRangeAndRedirectsNotFollowed() {
        assertTrue(HttpProbe.builder().path("/redirect").build().check(customTarget(), TIMEOUT).isHealthy());
        HealthResult strict = HttpProbe.builder().path("/redirect").expectStatus(200, 200).build().check(customTarget(), TIMEOUT);
        assertEquals("GET http://127.0.0.1:" + custom.getAddress().getPort() + "/redirect -> 302 (expected 200-200)",
                strict.reason());
    }

    @Test
    void refusedPort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HealthResult r = HttpProbe.create().check(Target.of("x", "1", "127.0.0.1", port), TIMEOUT);
        assertEquals(HealthStatus.UNHEALTHY, r.status());
        assertEquals("GET http://127.0.0.1:" + port + "/health: connection refused", r.reason());
    }

    @Test
    void hangingServerTimesOutWithinTheAttemptTimeout() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket s = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket c = s.accept(); // accept and never answer
                        synchronized (accepted) {
                            accepted.add(c);
                        }
                    }
                } catch (IOException closed) {
                    // server closed: done
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            HealthResult r = HttpProbe.create().check(Target.of("x", "1", "127.0.0.1", s.getLocalPort()), Duration.ofMillis(300));
            assertEquals(HealthStatus.UNHEALTHY, r.status());
            assertEquals("GET http://127.0.0.1:" + s.getLocalPort() + "/health: timed out after 300 ms", r.reason());
        } finally {
            synchronized (accepted) {
                for (Socket c : accepted) {
                    c.close();
                }
            }
        }
    }

    /** A keep-alive server: the probe must close its connection itself (no pooled idle socket stays open). */
    @Test
    void connectionIsClosedAfterEachCheck() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(30_000);
            Future<String> server = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "keep-alive-server");
                t.setDaemon(true);
                return t;
            }).submit(() -> {
                try (Socket c = s.accept()) {
                    c.setSoTimeout(30_000);
                    InputStream in = c.getInputStream();
                    StringBuilder request = new StringBuilder();
                    while (!request.toString().endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            return "EOF before the end of the request";
                        }
                        request.append((char) b);
                    }
                    c.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().flush();
                    int next = in.read(); // blocks while the client keeps the connection open
                    return (next < 0 ? "closed by the client" : "more data") + "; "
                            + (request.toString().toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n")
                            ? "asked to close" : "keep-alive asked");
                }
            });
            HealthResult r = HttpProbe.create().check(Target.of("x", "1", "127.0.0.1", s.getLocalPort()), TIMEOUT);
            assertEquals(HealthStatus.HEALTHY, r.status(), r.reason());
            assertEquals("closed by the client; asked to close", server.get(30, TimeUnit.SECONDS));
            assertEquals(0, HttpProbe.pooledConnections());
        }
    }

    /** A target restarted on the same port (a new process, new connections) is probed afresh. */
    @Test
    void targetRestartedOnTheSamePortIsProbedAfresh() throws Exception {
        HttpServer first = server("one", 0);
        int port = first.getAddress().getPort();
        Target t = Target.of("x", "1", "127.0.0.1", port);
        HttpProbe probe = HttpProbe.builder().bodyContains("two").build();
        try {
            assertTrue(probe.check(t, TIMEOUT).reason().endsWith("body does not contain 'two': one"));
        } finally {
            first.stop(0);
        }
        HttpServer second = server("two", port);
        try {
            HealthResult r = probe.check(t, TIMEOUT);
            assertEquals(HealthStatus.HEALTHY, r.status(), r.reason());
            assertEquals(HealthStatus.HEALTHY, probe.check(t, TIMEOUT).status());
        } finally {
            second.stop(0);
        }
    }

    private static HttpServer server(String body, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/health", ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        return server;
    }

    @Test
    void pathIsValidated() {
        for (String bad : new String[] {"health", "/a b", "/a\nb", "", "/\u0000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpProbe.builder().path(bad));
            assertTrue(e.getMessage().startsWith("httpProbe.path '"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> HttpProbe.builder().path(null));
        assertThrows(IllegalArgumentException.class, () -> HttpProbe.builder().scheme("ftp"));
        assertThrows(IllegalArgumentException.class, () -> HttpProbe.builder().expectStatus(400, 300));
        assertThrows(IllegalArgumentException.class, () -> HttpProbe.builder().bodyMatches("("));
        assertEquals("http://127.0.0.1:8081/ready?full=1",
                HttpProbe.builder().path("/ready?full=1").build().url(Target.of("x", "1", "127.0.0.1", 8081)));
        assertEquals("https://[::1]:8443/health", HttpProbe.builder().https().build().url(Target.of("x", "1", "::1", 8443)));
    }
}
