package dev.zdd.core.crash;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.journal.JournalCodec;
import dev.zdd.core.testing.TestBackend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The part of the crash test that outlives the child JVMs: a real router (a routing table behind a small HTTP front on
 * 127.0.0.1) and the backends. Endpoints: {@code GET/PUT /routing} (the table, as {@link JournalCodec} JSON),
 * {@code POST /launch?id=&version=} (starts a {@link TestBackend}, answers {@code host port}; idempotent per id while
 * it runs), {@code POST /retire?id=} (stops it), and {@code GET /app}, which forwards to a serving target chosen by
 * weight, like a proxy, answering 502 when the chosen backend is dead. Thread-safe. Test helper.
 */
public final class RouterFront implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "router-front");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, TestBackend> backends = new HashMap<>();
    private Routing routing = Routing.EMPTY;
    private long highestToken = -1;
    private final List<Apply> log = new java.util.ArrayList<>();
    private int applies;

    private RouterFront() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A front serving {@code initial}, whose backends are started here under the ids and versions given. */
    public static RouterFront start() throws IOException {
        return new RouterFront();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Starts a backend as {@code id} and returns its target. */
    public synchronized Target launch(String id, String version) throws IOException {
        TestBackend b = backends.get(id);
        if (b == null) {
            b = TestBackend.start(version);
            backends.put(id, b);
        }
        return Target.of(id, version, "127.0.0.1", b.port());
    }

    /** Sets the table directly (test setup). */
    public synchronized void set(Routing r) {
        routing = r;
    }

    /** The table now. */
    public synchronized Routing routing() {
        return routing;
    }

    /** How many PUT /routing calls were served. */
    public synchronized int applies() {
        return applies;
    }

    /** One PUT /routing: who sent it (pid), with which fencing token (-1: none), whether it was applied, when. */
    public record Apply(long pid, long token, boolean applied, long nanoTime) {
    }

    /** Every PUT /routing so far, in order (a router that passes {@code ?token=} is fenced: lower tokens refused). */
    public synchronized List<Apply> applyLog() {
        return List.copyOf(log);
    }

    /** Ids of backends running now. */
    public synchronized List<String> running() {
        return backends.keySet().stream().sorted().toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = query(ex.getRequestURI());
            switch (ex.getRequestMethod() + " " + path) {
                case "GET /routing" -> reply(ex, 200, JournalCodec.routingToJson(routing()));
                case "PUT /routing" -> {
                    Routing r = JournalCodec.routingFromJson(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    long token = q.containsKey("token") ? Long.parseLong(q.get("token")) : -1;
                    long pid = q.containsKey("pid") ? Long.parseLong(q.get("pid")) : 0;
                    String refused = null;
                    synchronized (this) {
                        if (token >= 0 && token < highestToken) {
                            refused = "fenced: token " + token + " is lower than " + highestToken;
                            log.add(new Apply(pid, token, false, System.nanoTime()));
                        } else {
                            highestToken = Math.max(highestToken, token);
                            routing = r;
                            applies++;
                            log.add(new Apply(pid, token, true, System.nanoTime()));
                        }
                    }
                    if (refused != null) {
                        reply(ex, 409, refused);
                    } else {
                        reply(ex, 200, "ok");
                    }
                }
                case "POST /launch" -> {
                    Target t = launch(q.get("id"), q.get("version"));
                    reply(ex, 200, t.endpoint().host() + " " + t.endpoint().port());
                }
                case "POST /retire" -> {
                    TestBackend b;
                    synchronized (this) {
                        b = backends.remove(q.get("id"));
                    }
                    if (b != null) {
                        b.close();
                    }
                    reply(ex, 200, "ok");
                }
                case "GET /app" -> forward(ex);
                default -> reply(ex, 404, "no " + path);
            }
        } catch (RuntimeException e) {
            reply(ex, 500, String.valueOf(e.getMessage()));
        }
    }

    private void forward(HttpExchange ex) throws IOException {
        Routing r = routing();
        List<Target> serving = r.servingTargets();
        if (serving.isEmpty()) {
            reply(ex, 503, "no serving target");
            return;
        }
        int pick = ThreadLocalRandom.current().nextInt(r.servingWeight());
        Target chosen = null;
        for (var route : r.routes()) {
            if (route.serving()) {
                pick -= route.weight();
                if (pick < 0) {
                    chosen = route.target();
                    break;
                }
            }
        }
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://" + chosen.endpoint().authority() + "/").toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            int status = c.getResponseCode();
            try (InputStream in = c.getInputStream()) {
                reply(ex, status, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            reply(ex, 502, "backend " + chosen.id() + " is dead: " + e);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        if (uri.getQuery() != null) {
            for (String kv : uri.getQuery().split("&")) {
                int i = kv.indexOf('=');
                out.put(kv.substring(0, i), kv.substring(i + 1));
            }
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** Sends {@code n} requests through /app; returns body (version) or "ERROR <status>" per request. */
    public List<String> sample(int n) throws IOException {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpURLConnection c = (HttpURLConnection) URI.create(url() + "/app").toURL().openConnection();
            c.setConnectTimeout(5000);
            c.setReadTimeout(5000);
            int status = c.getResponseCode();
            InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            out.add(status == 200 ? body.trim() : "ERROR " + status + " " + body);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        server.stop(0);
        executor.shutdownNow();
        backends.values().forEach(TestBackend::close);
        backends.clear();
    }
}
