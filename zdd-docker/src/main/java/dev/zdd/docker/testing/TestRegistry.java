package dev.zdd.docker.testing;

import dev.zdd.api.Arguments;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.docker.RegistryCredentials;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real image registry for integration tests: Debian's {@code docker-registry} (the distribution registry v2), run as
 * this JVM's own process with its own config, storage and htpasswd file in a temporary directory, on a free port of a
 * loopback address, over plain HTTP with basic auth. The Docker daemon pulls from it without extra flags, because
 * dockerd treats {@code 127.0.0.0/8} as an insecure (plain HTTP) registry by default.
 *
 * <p>The password file is made with {@code htpasswd -niB} (apache2-utils), the password given on its standard input,
 * never on a command line. When {@code docker-registry} or {@code htpasswd} is missing, {@link #start} reports it
 * through {@link IntegrationEnvironment#unavailable(String)}: a skip locally, a failure in CI.
 *
 * <p>Thread-safe; {@link #close()} stops the registry and deletes its directory (also at JVM exit).
 */
public final class TestRegistry implements AutoCloseable {
    /** How long the registry may take to answer: 20 s. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    /** The realm of its basic auth. */
    public static final String REALM = "zdd-test";

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern LOOPBACK = Pattern.compile("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");

    private final Process process;
    private final Path dir;
    private final String host;
    private final int port;
    private final RegistryCredentials credentials;
    private final Thread hook;

    private TestRegistry(Process process, Path dir, String host, int port, RegistryCredentials credentials) {
        this.process = process;
        this.dir = dir;
        this.host = host;
        this.port = port;
        this.credentials = credentials;
        this.hook = new Thread(this::stop, "zdd-registry-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** {@link #start(String, String, String)} on {@code 127.0.0.1}. */
    public static Optional<TestRegistry> start(String username, String password) {
        return start("127.0.0.1", username, password);
    }

    /**
     * Starts a registry on {@code bindAddress} (a 127.x.y.z address) and a free port that accepts {@code username} with
     * {@code password}; empty (after {@link IntegrationEnvironment#unavailable(String)}, which throws in CI) when
     * {@code docker-registry} or {@code htpasswd} is not installed.
     */
    public static Optional<TestRegistry> start(String bindAddress, String username, String password) {
        Arguments.matches("bindAddress", bindAddress, LOOPBACK, "a loopback address such as 127.0.0.1");
        Arguments.matches("username", username, USER, "a user name such as zdd");
        RegistryCredentials.of(bindAddress + ":5000", username, password); // validates the password
        Optional<Path> registry = IntegrationEnvironment.find("docker-registry", "apt-get install docker-registry");
        if (registry.isEmpty()) {
            return Optional.empty();
        }
        Optional<Path> htpasswd = IntegrationEnvironment.find("htpasswd", "apt-get install apache2-utils");
        if (htpasswd.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(launch(registry.get(), htpasswd.get(), bindAddress, username, password));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start docker-registry: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting docker-registry", e);
        }
    }

    private static TestRegistry launch(Path registry, Path htpasswd, String bindAddress, String username, String password)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("zdd-registry-");
        try {
            writeHtpasswd(htpasswd, dir.resolve("htpasswd"), username, password);
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort(bindAddress);
                Path config = dir.resolve("config.yml");
                Files.writeString(config, config(dir, bindAddress, port));
                Process p = new ProcessBuilder(registry.toString(), "serve", config.toString()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("registry.log").toFile()).start();
                try {
                    awaitReady(p, bindAddress, port, dir);
                    System.err.println("[zdd] started docker-registry at " + bindAddress + ":" + port);
                    return new TestRegistry(p, dir, bindAddress, port,
                            RegistryCredentials.of(bindAddress + ":" + port, username, password));
                } catch (IOException e) {
                    // the port may have been taken meanwhile: try another
                    last = e;
                    stopProcess(p);
                }
            }
            throw last;
        } catch (IOException | InterruptedException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    private static void writeHtpasswd(Path htpasswd, Path file, String username, String password)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(htpasswd.toString(), "-niB", username).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((password + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("htpasswd did not finish in 30 s");
        }
        String line = new String(out, StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0 || !line.startsWith(username + ":$2")) {
            throw new IOException("htpasswd -niB failed with exit code " + p.exitValue());
        }
        Files.writeString(file, line + "\n");
    }

    private static String config(Path dir, String bindAddress, int port) {
        return "version: 0.1\n"
                + "log:\n  level: info\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n  delete:\n    enabled: true\n"
                + "http:\n  addr: " + bindAddress + ":" + port + "\n  secret: " + UUID.randomUUID() + "\n"
                + "auth:\n  htpasswd:\n    realm: " + REALM + "\n    path: " + dir.resolve("htpasswd") + "\n";
    }

    private static int freePort(String bindAddress) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), 0));
            return s.getLocalPort();
        }
    }

    private static void awaitReady(Process p, String bindAddress, int port, Path dir)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String problem = "no answer";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("docker-registry exited with " + p.exitValue() + ": " + tail(dir));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) new URL("http://" + bindAddress + ":" + port + "/v2/")
                        .openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                int status = c.getResponseCode();
                c.disconnect();
                if (status == 401) {
                    return; // up, and asking for credentials
                }
                problem = "GET /v2/ answered " + status + " instead of 401";
            } catch (IOException e) {
                problem = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IOException("docker-registry did not answer within " + START_TIMEOUT + ": " + problem + "; "
                + tail(dir));
    }

    private static String tail(Path dir) {
        try {
            String log = Files.readString(dir.resolve("registry.log"));
            return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The registry's address as image references name it, e.g. {@code 127.0.0.1:40123}. */
    public String address() {
        return host + ":" + port;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** {@code address()/path:tag}, e.g. {@code 127.0.0.1:40123/zdd-test:v1}. */
    public String image(String path, String tag) {
        return address() + "/" + path + ":" + tag;
    }

    /** The credentials it accepts. */
    public RegistryCredentials credentials() {
        return credentials;
    }

    /** The registry's own log so far (for failure messages). */
    public String log() {
        return tail(dir);
    }

    /** Stops the registry (SIGTERM, SIGKILL after 10 s) and deletes its directory. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private void stop() {
        stopProcess(process);
        deleteTree(dir);
    }

    private static void stopProcess(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }

    @Override
    public String toString() {
        return "TestRegistry[" + address() + ", user " + credentials.username() + "]";
    }
}
