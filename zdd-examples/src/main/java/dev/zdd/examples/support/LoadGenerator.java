package dev.zdd.examples.support;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * Continuous HTTP/1.1 load on loopback over raw sockets, so that every failure is seen and classified (a connection the
 * server closed under a request, a reset, a timeout, a 5xx). Bounded: it stops after {@code maxRequests} or
 * {@code maxDuration}, whichever comes first, or at {@link #stop()}.
 *
 * <p>Three client behaviours: {@link Mode#KEEP_ALIVE} (reuse connections, never retry), {@link Mode#CLOSE} (send
 * {@code Connection: close}, one request per connection), {@link Mode#RETRY} (keep-alive, but a GET that fails on a
 * reused connection before any byte of answer arrived is sent once more on a new connection, as browsers and most HTTP
 * clients do for idempotent requests).
 *
 * <p>Answers are attributed to a version by their {@code X-Version} header (or their body). {@link #mark()} and
 * {@link #awaitVersion(String, Duration)} measure switch latency: the time from a mark to the first answer of a version.
 * Thread-safe.
 */
public final class LoadGenerator implements AutoCloseable {
    /** Client behaviour. */
    public enum Mode {
        /** Reuse connections; report every failure. */
        KEEP_ALIVE,
        /** One request per connection, {@code Connection: close}. */
        CLOSE,
        /** Keep-alive, retrying an idempotent request once when a reused connection fails before any answer. */
        RETRY
    }

    private final String host;
    private final int port;
    private final String path;
    private final int connections;
    private final Mode mode;
    private final long maxRequests;
    private final Duration maxDuration;
    private final Duration timeout;
    private final BiFunction<Integer, Long, Map<String, String>> headers;
    private final BiConsumer<Map<String, String>, String> onAnswer;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private volatile long markNanos = Long.MAX_VALUE;
    private final List<Thread> threads = new ArrayList<>();
    private volatile long startNanos;
    private volatile long endNanos;

    private LoadGenerator(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.path = b.path;
        this.connections = b.connections;
        this.mode = b.mode;
        this.maxRequests = b.maxRequests;
        this.maxDuration = b.maxDuration;
        this.timeout = b.timeout;
        this.headers = b.headers;
        this.onAnswer = b.onAnswer;
    }

    /** A builder for load on {@code host:port}. */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** Starts the client threads. */
    public LoadGenerator start() {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        startNanos = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            int worker = i;
            Thread t = new Thread(() -> work(worker), "zdd-load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** Starts a measurement window: forgets which versions were seen. */
    public void mark() {
        firstSeen.clear();
        markNanos = System.nanoTime();
    }

    /**
     * Waits (polling, at most {@code limit}) until an answer of {@code version} was sent after the last {@link #mark()}
     * and arrived; returns the nanoseconds from the mark to that answer, or -1 on timeout.
     */
    public long awaitVersion(String version, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Long t = firstSeen.get(version);
            if (t != null) {
                return t - markNanos;
            }
            Thread.sleep(0, 200_000);
        }
        return -1;
    }

    /** Stops the client threads and waits (bounded) for them. */
    public void stop() {
        if (running.getAndSet(false)) {
            endNanos = System.nanoTime();
        }
        for (Thread t : threads) {
            try {
                t.join(timeout.toMillis() + 1000);
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

    /** Whether the generator is still sending (it stops by itself at its bounds). */
    public boolean running() {
        return running.get();
    }

    /** Requests answered without failure. */
    public long ok() {
        return ok.get();
    }

    /** Requests that failed, all kinds. */
    public long failed() {
        return failures.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Requests sent once more by {@link Mode#RETRY}. */
    public long retried() {
        return retried.get();
    }

    /** Failures by kind: connect, reset, eof, timeout, bad_response, status_5xx. */
    public Map<String, Long> failuresByKind() {
        Map<String, Long> out = new LinkedHashMap<>();
        failures.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Successful answers per version. */
    public Map<String, Long> versions() {
        Map<String, Long> out = new LinkedHashMap<>();
        versions.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Summary for a JSON report. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        long end = running.get() ? System.nanoTime() : endNanos;
        m.put("mode", mode.name().toLowerCase(Locale.ROOT));
        m.put("connections", connections);
        m.put("requests", ok.get() + failed());
        m.put("failed", failed());
        m.put("failedByKind", failuresByKind());
        m.put("retried", retried.get());
        m.put("versionsServed", versions());
        m.put("seconds", Stats.round((end - startNanos) / 1e9));
        return m;
    }

    private void fail(String kind) {
        failures.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    private void work(int worker) {
        long deadline = startNanos + maxDuration.toNanos();
        Conn conn = null;
        try {
            while (running.get() && System.nanoTime() < deadline) {
                long seq = sent.incrementAndGet();
                if (seq > maxRequests) {
                    break;
                }
                Map<String, String> hdrs = headers == null ? Map.of() : headers.apply(worker, seq);
                long sendNanos = System.nanoTime();
                boolean reused = conn != null;
                try {
                    if (conn == null) {
                        conn = new Conn(host, port, timeout);
                    }
                    Answer a = conn.exchange(path, hdrs, mode == Mode.CLOSE);
                    record(a, hdrs, sendNanos);
                    if (a.close || mode == Mode.CLOSE) {
                        conn.close();
                        conn = null;
                    }
                } catch (IOException e) {
                    boolean noAnswer = conn != null && !conn.gotBytes;
                    if (conn != null) {
                        conn.close();
                        conn = null;
                    }
                    if (mode == Mode.RETRY && reused && noAnswer && !(e instanceof SocketTimeoutException)) {
                        retried.incrementAndGet();
                        try {
                            conn = new Conn(host, port, timeout);
                            Answer a = conn.exchange(path, hdrs, false);
                            record(a, hdrs, sendNanos);
                            if (a.close) {
                                conn.close();
                                conn = null;
                            }
                            continue;
                        } catch (IOException e2) {
                            if (conn != null) {
                                conn.close();
                                conn = null;
                            }
                            e = e2;
                        }
                    }
                    fail(kind(e));
                }
            }
        } finally {
            if (conn != null) {
                conn.close();
            }
            if (sent.get() >= maxRequests || System.nanoTime() >= deadline) {
                if (running.getAndSet(false)) {
                    endNanos = System.nanoTime();
                }
            }
        }
    }

    private void record(Answer a, Map<String, String> hdrs, long sendNanos) {
        if (a.status >= 500) {
            fail("status_" + a.status);
            return;
        }
        ok.incrementAndGet();
        String v = a.version;
        versions.computeIfAbsent(v, k -> new AtomicLong()).incrementAndGet();
        if (sendNanos >= markNanos) {
            firstSeen.putIfAbsent(v, System.nanoTime());
        }
        if (onAnswer != null) {
            onAnswer.accept(hdrs, v);
        }
    }

    private static String kind(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "timeout";
        }
        if (e instanceof java.net.ConnectException) {
            return "connect";
        }
        if (e instanceof EOFException) {
            return "eof";
        }
        if (e instanceof BadResponse) {
            return "bad_response";
        }
        if (e instanceof SocketException) {
            return "reset";
        }
        return "io";
    }

    private static final class BadResponse extends IOException {
        private static final long serialVersionUID = 1L;

        BadResponse(String m) {
            super(m);
        }
    }

    private record Answer(int status, String version, boolean close) {
    }

    /** One HTTP/1.1 connection. */
    private static final class Conn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final String hostHeader;
        boolean gotBytes;

        Conn(String host, int port, Duration timeout) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) timeout.toMillis());
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            in = new BufferedInputStream(socket.getInputStream(), 8192);
            out = socket.getOutputStream();
            hostHeader = host + ":" + port;
        }

        Answer exchange(String path, Map<String, String> headers, boolean close) throws IOException {
            gotBytes = false;
            StringBuilder req = new StringBuilder(128).append("GET ").append(path).append(" HTTP/1.1\r\nHost: ")
                    .append(hostHeader).append("\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            if (close) {
                req.append("Connection: close\r\n");
            }
            req.append("\r\n");
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String status = line();
            if (status == null) {
                throw new EOFException("connection closed before an answer");
            }
            if (!status.startsWith("HTTP/1.")) {
                throw new BadResponse("bad status line: " + status);
            }
            int code;
            try {
                code = Integer.parseInt(status.substring(9, 12));
            } catch (RuntimeException e) {
                throw new BadResponse("bad status line: " + status);
            }
            int length = -1;
            boolean chunked = false;
            boolean closeAfter = false;
            String version = null;
            String h;
            while ((h = line()) != null && !h.isEmpty()) {
                int c = h.indexOf(':');
                if (c <= 0) {
                    continue;
                }
                String name = h.substring(0, c).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(c + 1).trim();
                switch (name) {
                    case "content-length" -> length = Integer.parseInt(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                    case "x-version" -> version = value;
                    default -> {
                    }
                }
            }
            if (h == null) {
                throw new EOFException("connection closed inside the headers");
            }
            byte[] body;
            if (chunked) {
                java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
                while (true) {
                    String sz = line();
                    if (sz == null) {
                        throw new EOFException("connection closed inside a chunk");
                    }
                    int n = Integer.parseInt(sz.split(";")[0].trim(), 16);
                    if (n == 0) {
                        line();
                        break;
                    }
                    buf.write(in.readNBytes(n));
                    line();
                }
                body = buf.toByteArray();
            } else if (length >= 0) {
                body = in.readNBytes(length);
                if (body.length < length) {
                    throw new EOFException("connection closed inside the body");
                }
            } else {
                body = in.readAllBytes();
                closeAfter = true;
            }
            if (version == null) {
                version = new String(body, StandardCharsets.UTF_8).trim();
            }
            return new Answer(code, version, closeAfter);
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                gotBytes = true;
                if (c == '\n') {
                    int len = sb.length();
                    if (len > 0 && sb.charAt(len - 1) == '\r') {
                        sb.setLength(len - 1);
                    }
                    return sb.toString();
                }
                sb.append((char) c);
                if (sb.length() > 16384) {
                    throw new BadResponse("line too long");
                }
            }
            return sb.length() == 0 ? null : sb.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Builds a {@link LoadGenerator}. Not thread-safe. */
    public static final class Builder {
        private final String host;
        private final int port;
        private String path = "/";
        private int connections = 32;
        private Mode mode = Mode.KEEP_ALIVE;
        private long maxRequests = 1_000_000;
        private Duration maxDuration = Duration.ofMinutes(2);
        private Duration timeout = Duration.ofSeconds(2);
        private BiFunction<Integer, Long, Map<String, String>> headers;
        private BiConsumer<Map<String, String>, String> onAnswer;

        private Builder(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** Request path. Default {@code /}. */
        public Builder path(String v) {
            path = v;
            return this;
        }

        /** Concurrent connections (one thread each). Default 32. */
        public Builder connections(int v) {
            if (v < 1 || v > 512) {
                throw new IllegalArgumentException("connections must be in [1, 512], was " + v);
            }
            connections = v;
            return this;
        }

        /** Client behaviour. Default KEEP_ALIVE. */
        public Builder mode(Mode v) {
            mode = v;
            return this;
        }

        /** Stop after this many requests. Default 1,000,000. */
        public Builder maxRequests(long v) {
            maxRequests = v;
            return this;
        }

        /** Stop after this long. Default 2 minutes. */
        public Builder maxDuration(Duration v) {
            maxDuration = v;
            return this;
        }

        /** Connect and read timeout. Default 2 s. */
        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }

        /** Extra request headers per (worker, sequence number), e.g. a user id for sticky routing. */
        public Builder headers(BiFunction<Integer, Long, Map<String, String>> v) {
            headers = v;
            return this;
        }

        /** Called with the request headers and the version of every successful answer. */
        public Builder onAnswer(BiConsumer<Map<String, String>, String> v) {
            onAnswer = v;
            return this;
        }

        /** Builds (does not start). */
        public LoadGenerator build() {
            return new LoadGenerator(this);
        }
    }
}
