package dev.zdd.ssh.testing;

import dev.zdd.api.Endpoint;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 load on one endpoint for tests and benchmarks: a few client threads of one {@link Kind} sending
 * {@code GET /} until stopped or a time limit, counting answers, failures and the bodies seen (the app answers its
 * version). Bounded: every connect and read has a timeout, the threads end at {@link #stop()} or the limit. Thread-safe.
 */
public final class TestLoad implements AutoCloseable {
    /** How a client uses connections. */
    public enum Kind {
        /** Reuses its connection; every failure counts. */
        KEEP_ALIVE,
        /** One request per connection ({@code Connection: close}). */
        CLOSE,
        /** Keep-alive, retrying (once, on a new connection) a request whose reused connection closed before any answer. */
        RETRY
    }

    private static final int TIMEOUT_MS = 5000;

    private final Endpoint target;
    private final Kind kind;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final Map<String, AtomicLong> bodies = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    private TestLoad(Endpoint target, Kind kind) {
        this.target = target;
        this.kind = kind;
    }

    /** Starts {@code clients} threads of {@code kind} on {@code target}; they stop at {@code limit} at the latest. */
    public static TestLoad start(Endpoint target, Kind kind, int clients, Duration limit) {
        TestLoad l = new TestLoad(target, kind);
        long deadline = System.nanoTime() + limit.toNanos();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> l.work(deadline), "load-" + kind.name().toLowerCase(Locale.ROOT) + "-" + i);
            t.setDaemon(true);
            l.threads.add(t);
            t.start();
        }
        return l;
    }

    private void work(long deadline) {
        Conn c = null;
        while (running.get() && System.nanoTime() < deadline) {
            boolean reused = c != null;
            try {
                if (c == null) {
                    c = new Conn(target);
                }
                String body = c.get(kind == Kind.CLOSE);
                answer(body);
                if (kind == Kind.CLOSE || c.closeAfter) {
                    c.close();
                    c = null;
                }
            } catch (IOException e) {
                boolean noAnswer = c != null && !c.gotBytes;
                if (c != null) {
                    c.close();
                    c = null;
                }
                if (kind == Kind.RETRY && reused && noAnswer && !(e instanceof SocketTimeoutException)) {
                    retried.incrementAndGet();
                    try {
                        c = new Conn(target);
                        answer(c.get(false));
                        continue;
                    } catch (IOException e2) {
                        if (c != null) {
                            c.close();
                            c = null;
                        }
                        e = e2;
                    }
                }
                failed.incrementAndGet();
                failures.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(), k -> new AtomicLong())
                        .incrementAndGet();
                pause();
            }
        }
        if (c != null) {
            c.close();
        }
    }

    private void answer(String body) throws IOException {
        if (body.startsWith("5")) {
            throw new IOException("status " + body);
        }
        ok.incrementAndGet();
        bodies.computeIfAbsent(body, k -> new AtomicLong()).incrementAndGet();
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the clients and waits (bounded) for them. */
    public void stop() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(TIMEOUT_MS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The client kind. */
    public Kind kind() {
        return kind;
    }

    /** Answered requests (2xx-4xx). */
    public long ok() {
        return ok.get();
    }

    /** Failed requests (connect, reset, EOF, timeout, 5xx), after the retry of {@link Kind#RETRY}. */
    public long failed() {
        return failed.get();
    }

    /** Requests retried on a new connection. */
    public long retried() {
        return retried.get();
    }

    /** Answers by body (the app's version). */
    public Map<String, Long> bodies() {
        Map<String, Long> m = new TreeMap<>();
        bodies.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Failures by exception and message (for diagnostics). */
    public Map<String, Long> failures() {
        Map<String, Long> m = new TreeMap<>();
        failures.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    @Override
    public String toString() {
        return kind + " on " + target + ": ok " + ok() + ", failed " + failed() + ", retried " + retried() + " "
                + bodies() + (failures.isEmpty() ? "" : " " + failures());
    }

    /** One client connection. */
    private static final class Conn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final Endpoint target;
        boolean gotBytes;
        boolean closeAfter;

        Conn(Endpoint target) throws IOException {
            this.target = target;
            socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(TIMEOUT_MS);
                socket.connect(new InetSocketAddress(target.host(), target.port()), TIMEOUT_MS);
                in = new BufferedInputStream(socket.getInputStream());
                out = socket.getOutputStream();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /** The body of a 2xx-4xx, or "5xx" for a server error. */
        String get(boolean close) throws IOException {
            gotBytes = false;
            out.write(("GET / HTTP/1.1\r\nHost: " + target.authority() + "\r\n" + (close ? "Connection: close\r\n" : "")
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = line();
            if (!status.startsWith("HTTP/1.")) {
                throw new IOException("bad status line '" + status + "'");
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            closeAfter = status.startsWith("HTTP/1.0");
            for (String h = line(); !h.isEmpty(); h = line()) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(h.substring(15).strip());
                } else if (lower.startsWith("connection:")) {
                    closeAfter = lower.contains("close");
                }
            }
            byte[] body;
            if (length >= 0) {
                body = in.readNBytes((int) length);
                if (body.length < length) {
                    throw new EOFException("body cut short");
                }
            } else {
                body = in.readAllBytes();
                closeAfter = true;
            }
            return code >= 500 ? String.valueOf(code) : new String(body, StandardCharsets.UTF_8).strip();
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("connection closed" + (gotBytes ? " mid-answer" : " before an answer"));
                }
                gotBytes = true;
                if (b == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) b);
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
