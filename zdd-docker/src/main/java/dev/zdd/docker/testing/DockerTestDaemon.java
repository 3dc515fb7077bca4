package dev.zdd.docker.testing;

import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.docker.DockerClient;
import dev.zdd.docker.DockerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds a real Docker daemon for integration tests and demos, or starts a private one.
 *
 * <p>In order: the daemon named by {@value #HOST_VARIABLE} (set by {@code .ci/run} after {@code .ci/dockerd.sh start});
 * the one {@code .ci/dockerd.sh} starts by default ({@value #CI_SOCKET}); {@code /var/run/docker.sock}; else, when
 * {@code dockerd} is installed and we are root, a private daemon in a temporary directory, stopped when the JVM exits.
 * When none can be had, {@link IntegrationEnvironment#unavailable(String)} decides: skip locally, fail in CI.
 *
 * <p>Thread-safe: {@link #shared()} starts at most one daemon per JVM.
 */
public final class DockerTestDaemon {
    /** Environment variable naming the daemon, e.g. {@code unix:///tmp/zdd-dockerd/docker.sock}. */
    public static final String HOST_VARIABLE = "ZDD_DOCKER_HOST";
    /** The socket {@code .ci/dockerd.sh start} makes by default. */
    public static final String CI_SOCKET = "/tmp/zdd-dockerd/docker.sock";
    /** How long a private daemon may take to answer /_ping: 60 s. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static final Object LOCK = new Object();
    private static volatile Optional<DockerTestDaemon> shared;

    private final String host;
    private final Process process;
    private final Path dir;

    private DockerTestDaemon(String host, Process process, Path dir) {
        this.host = host;
        this.process = process;
        this.dir = dir;
    }

    /** The daemon's host, e.g. {@code unix:///tmp/zdd-dockerd/docker.sock}. */
    public String host() {
        return host;
    }

    /** {@code true} when this JVM started the daemon (it stops it at exit). */
    public boolean privateDaemon() {
        return process != null;
    }

    /** A new client for this daemon (close it when done). */
    public DockerClient client() {
        return DockerClient.connect(host);
    }

    /**
     * The daemon for this JVM, found or started once; empty (after {@link IntegrationEnvironment#unavailable(String)}
     * printed why, or threw in CI) when there is none.
     */
    public static Optional<DockerTestDaemon> shared() {
        Optional<DockerTestDaemon> d = shared;
        if (d != null) {
            if (d.isEmpty()) {
                IntegrationEnvironment.unavailable("no Docker daemon (see the first message)");
            }
            return d;
        }
        synchronized (LOCK) {
            if (shared == null) {
                shared = locate();
            }
            return shared;
        }
    }

    private static Optional<DockerTestDaemon> locate() {
        String env = System.getenv(HOST_VARIABLE);
        if (env != null && !env.isBlank()) {
            String problem = pingProblem(env);
            if (problem != null) {
                IntegrationEnvironment.unavailable(HOST_VARIABLE + "=" + env + " does not answer: " + problem);
                return Optional.empty();
            }
            return Optional.of(new DockerTestDaemon(env, null, null));
        }
        for (String sock : List.of(CI_SOCKET, "/var/run/docker.sock")) {
            if (Files.exists(Path.of(sock)) && pingProblem("unix://" + sock) == null) {
                return Optional.of(new DockerTestDaemon("unix://" + sock, null, null));
            }
        }
        Optional<Path> dockerd = IntegrationEnvironment.locate("dockerd");
        if (dockerd.isEmpty()) {
            IntegrationEnvironment.unavailable("no Docker daemon: set " + HOST_VARIABLE
                    + ", run .ci/dockerd.sh start, or install dockerd (apt-get install docker.io) and run as root");
            return Optional.empty();
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            IntegrationEnvironment.unavailable("no Docker daemon: set " + HOST_VARIABLE
                    + " or run .ci/dockerd.sh start (starting a private dockerd needs root)");
            return Optional.empty();
        }
        try {
            return Optional.of(startPrivate(dockerd.get()));
        } catch (IOException | RuntimeException e) {
            IntegrationEnvironment.unavailable("could not start a private dockerd: " + e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            IntegrationEnvironment.unavailable("interrupted while starting a private dockerd");
            return Optional.empty();
        }
    }

    private static String pingProblem(String host) {
        try (DockerClient c = DockerClient.builder().host(host).connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(5)).build()) {
            c.ping();
            return null;
        } catch (DockerException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static DockerTestDaemon startPrivate(Path dockerd) throws IOException, InterruptedException {
        // a short path: containerd's socket lives under the exec root and unix socket paths are limited to 108 bytes
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "zdd-dkr-");
        String host = "unix://" + dir.resolve("docker.sock");
        Process p = new ProcessBuilder(dockerd.toString(), "--host", host, "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("docker.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        DockerTestDaemon d = new DockerTestDaemon(host, p, dir);
        Runtime.getRuntime().addShutdownHook(new Thread(d::stop, "zdd-dockerd-stop"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String problem = "not started";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                d.stop();
                throw new IOException("dockerd exited with " + p.exitValue() + "; see " + dir.resolve("dockerd.log"));
            }
            problem = pingProblem(host);
            if (problem == null) {
                System.err.println("[zdd] started a private dockerd at " + host);
                return d;
            }
            Thread.sleep(200);
        }
        d.stop();
        throw new IOException("dockerd did not answer within " + START_TIMEOUT + ": " + problem);
    }

    /** Stops a private daemon (SIGTERM, SIGKILL after 20 s) and deletes its directory; nothing for a found one. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }

    @Override
    public String toString() {
        return "DockerTestDaemon[" + host + (process != null ? ", private" : "") + "]";
    }
}
