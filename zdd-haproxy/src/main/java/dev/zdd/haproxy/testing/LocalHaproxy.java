package dev.zdd.haproxy.testing;

import dev.zdd.api.Endpoint;
import dev.zdd.haproxy.RuntimeApiClient;
import dev.zdd.haproxy.RuntimeApiException;
import dev.zdd.haproxy.internal.Names;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy on 127.0.0.1 for tests, demos and benchmarks: one HTTP frontend on an ephemeral port, one backend
 * ({@value #BACKEND}) with the servers you declare, and admin-level stats sockets on a unix path and on TCP, all in a
 * directory of your choice. Started in the foreground ({@code -db}) with an argument list, stopped on {@link #close()}.
 *
 * <p>Thread-safe for reads; {@link #restart()} and {@link #close()} are meant for the owning test.
 */
public final class LocalHaproxy implements AutoCloseable {
    /** Name of the backend. */
    public static final String BACKEND = "app";
    /** Time allowed for HAProxy to start answering on its socket. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    /**
     * Attempts at the first start: ports are picked free, then released, then bound by HAProxy, so another process may
     * take one in between; a start that fails with "cannot bind socket" is retried on new ports, up to this many times.
     */
    public static final int START_ATTEMPTS = 5;

    private final Path executable;
    private final Path dir;
    private final Path config;
    private final Path socket;
    private final int frontendPort;
    private final int statsPort;
    private Process process;
    private final List<Process> retired = new ArrayList<>();

    private LocalHaproxy(Builder b, int frontendPort, int statsPort) throws IOException {
        this.executable = b.executable;
        this.dir = b.dir;
        this.socket = dir.resolve("admin.sock");
        this.config = dir.resolve("haproxy.cfg");
        this.frontendPort = frontendPort;
        this.statsPort = statsPort;
        Files.writeString(config, render(b), StandardCharsets.UTF_8);
        start();
    }

    /** HAProxy could not bind one of its ports. */
    private static final class BindFailed extends IOException {
        private static final long serialVersionUID = 1L;

        BindFailed(String message) {
            super(message);
        }
    }

    /** A builder for an HAProxy run from {@code executable} with its files in {@code dir}. */
    public static Builder builder(Path executable, Path dir) {
        return new Builder(executable, dir);
    }

    private String render(Builder b) {
        StringBuilder sb = new StringBuilder();
        sb.append("global\n");
        sb.append("    stats socket ").append(socket).append(" level admin expose-fd listeners\n");
        sb.append("    stats socket ipv4@127.0.0.1:").append(statsPort).append(" level admin\n");
        sb.append("    maxconn 4096\n");
        sb.append(b.globalLines);
        sb.append("defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n");
        sb.append("frontend fe\n    bind 127.0.0.1:").append(frontendPort).append("\n    default_backend ").append(BACKEND).append("\n");
        sb.append("backend ").append(BACKEND).append("\n    balance roundrobin\n");
        sb.append(b.backendLines);
        for (String s : b.servers) {
            sb.append(s).append('\n');
        }
        return sb.toString();
    }

    private void start() throws IOException {
        Files.deleteIfExists(socket);
        launch(List.of(executable.toString(), "-f", config.toString(), "-db"), -1);
    }

    /**
     * Reloads HAProxy as {@code systemctl reload} does without master-worker mode: starts a new process with
     * {@code -sf <old pid> -x <socket>} (it takes over the listening sockets from the old one, which finishes its
     * connections and exits) and returns once the new process answers on the socket. Runtime API changes are lost
     * unless the configuration loads a server-state file.
     */
    public synchronized void reload() throws IOException {
        if (process == null || !process.isAlive()) {
            throw new IOException("haproxy is not running: nothing to reload");
        }
        Process old = process;
        retired.add(old);
        launch(List.of(executable.toString(), "-f", config.toString(), "-db", "-sf", String.valueOf(old.pid()),
                "-x", socket.toString()), old.pid());
    }

    /** The pid of the running HAProxy process. */
    public long pid() {
        return process.pid();
    }

    private void launch(List<String> command, long oldPid) throws IOException {
        Path logFile = dir.resolve("haproxy.log");
        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("haproxy.log").toFile()));
        process = pb.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        RuntimeApiClient c = RuntimeApiClient.unixSocket(socket).connectTimeout(Duration.ofMillis(500))
                .readTimeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (!process.isAlive()) {
                String message = "haproxy exited with " + process.exitValue() + ": " + log();
                throw logSince(logStart).contains("cannot bind socket") ? new BindFailed(message) : new IOException(message);
            }
            if (Files.exists(socket)) {
                try {
                    if (oldPid < 0) {
                        c.version();
                        return;
                    }
                    if (c.execute("show info").contains("\nPid: " + process.pid() + "\n")) {
                        return;
                    }
                } catch (RuntimeApiException e) {
                    // not ready yet
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                stop();
                throw new IOException("haproxy did not answer on " + socket + " within " + START_TIMEOUT + ": " + log());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IOException("interrupted while starting haproxy", e);
            }
        }
    }

    /** Stops HAProxy (SIGTERM, then SIGKILL after 5 s) and waits for it, and for processes replaced by a reload. */
    public synchronized void stop() {
        for (Process p : retired) {
            p.destroyForcibly();
        }
        retired.clear();
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /**
     * Stops and starts HAProxy again with the same configuration and ports (runtime changes are lost, as in production);
     * fails if another process took one of the ports meanwhile.
     */
    public synchronized void restart() throws IOException {
        stop();
        start();
    }

    /** {@code true} while the process runs. */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** The port of the HTTP frontend on 127.0.0.1. */
    public int frontendPort() {
        return frontendPort;
    }

    /** The admin unix socket. */
    public Path socket() {
        return socket;
    }

    /** The admin TCP socket's port on 127.0.0.1. */
    public int statsPort() {
        return statsPort;
    }

    /** The directory holding config, socket and log. */
    public Path dir() {
        return dir;
    }

    /** The generated configuration file. */
    public Path config() {
        return config;
    }

    /** A client of the unix socket with default timeouts. */
    public RuntimeApiClient client() {
        return RuntimeApiClient.unixSocket(socket).build();
    }

    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(dir.resolve("haproxy.log"));
            int from = (int) Math.min(all.length, Math.max(0, offset));
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** What HAProxy printed so far (last 4000 characters). */
    public String log() {
        try {
            String s = Files.readString(dir.resolve("haproxy.log"), StandardCharsets.UTF_8);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Builds and starts a {@link LocalHaproxy}. Not thread-safe. */
    public static final class Builder {
        private final Path executable;
        private final Path dir;
        private final List<String> servers = new ArrayList<>();
        private String backendLines = "";
        private String serverOptions = "";
        private String globalLines = "";
        private PortSource ports = LocalHaproxy::freePort;

        private Builder(Path executable, Path dir) {
            if (executable == null || dir == null) {
                throw new IllegalArgumentException("executable and dir must not be null");
            }
            this.executable = executable;
            this.dir = dir;
        }

        /**
         * Adds {@code server NAME HOST:PORT weight WEIGHT [disabled]} to the backend.
         *
         * @param weight initial weight, 0 to 256 (use 256: HAProxy's percentages of small weights round to 0)
         */
        public Builder server(String name, Endpoint endpoint, int weight, boolean enabled) {
            Names.name("server", name);
            if (weight < 0 || weight > 256) {
                throw new IllegalArgumentException("weight must be in [0, 256], was " + weight);
            }
            servers.add("    server " + name + " " + endpoint.authority() + " weight " + weight + (enabled ? "" : " disabled")
                    + (serverOptions.isEmpty() ? "" : " " + serverOptions));
            return this;
        }

        /**
         * Options appended to every server line added after this call, e.g. {@code check inter 200 fall 2 rise 1}
         * (with {@code backendLines("option httpchk GET /health")}). Default none.
         */
        public Builder serverOptions(String options) {
            serverOptions = line("serverOptions", options).trim();
            return this;
        }

        /** Lines put into the {@code global} section, e.g. {@code server-state-base /dir}. Default none. */
        public Builder globalLines(String lines) {
            for (String l : lines.split("\n")) {
                line("globalLines", l);
            }
            globalLines = lines.isEmpty() ? "" : Arrays.stream(lines.split("\n")).map(l -> "    " + l.trim() + "\n")
                    .reduce("", String::concat);
            return this;
        }

        private static String line(String field, String value) {
            if (value == null || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException(field + " must be one line of printable text, was '"
                        + (value == null ? null : dev.zdd.api.Arguments.printable(value)) + "'");
            }
            return value;
        }

        /** Lines put into the backend before the servers, e.g. {@code RoutingMaps.backendConfig()}. Default none. */
        public Builder backendLines(String lines) {
            if (lines == null) {
                throw new IllegalArgumentException("backendLines must not be null");
            }
            backendLines = lines.isEmpty() || lines.endsWith("\n") ? lines : lines + "\n";
            return this;
        }

        /** For tests of the retry: where ports come from. */
        Builder ports(PortSource v) {
            ports = v;
            return this;
        }

        /**
         * Writes the configuration and starts HAProxy on free ports; returns once its socket answers. A start that fails
         * because a port was taken meanwhile is retried on new ports, {@link #START_ATTEMPTS} times in all.
         */
        public LocalHaproxy start() throws IOException {
            Files.createDirectories(dir);
            for (int attempt = 1; ; attempt++) {
                try {
                    return new LocalHaproxy(this, ports.next(), ports.next());
                } catch (BindFailed e) {
                    if (attempt >= START_ATTEMPTS) {
                        throw new IOException("haproxy could not bind its ports in " + START_ATTEMPTS + " attempts: "
                                + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /** Gives ports to try. */
    @FunctionalInterface
    interface PortSource {
        int next() throws IOException;
    }
}
