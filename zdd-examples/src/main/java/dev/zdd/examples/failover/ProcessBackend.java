package dev.zdd.examples.failover;

import dev.zdd.api.Endpoint;
import dev.zdd.api.Target;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A backend in its own process, so that it can be killed with SIGKILL (kill -9) and started again on its port: busybox
 * {@code httpd -f} serving a directory whose {@code index.html} and {@code health} answer the backend's name. Not
 * thread-safe (one owner).
 */
final class ProcessBackend implements AutoCloseable {
    private final Path busybox;
    private final Path dir;
    private final String name;
    private final int port;
    private Process process;

    ProcessBackend(Path busybox, Path dir, String name, int port) throws IOException {
        this.busybox = busybox;
        this.dir = dir;
        this.name = name;
        this.port = port;
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("index.html"), name, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("health"), "ok", StandardCharsets.UTF_8);
    }

    /** Starts httpd and waits (at most 5 s) until it accepts connections. */
    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(List.of(busybox.toString(), "httpd", "-f", "-p", "127.0.0.1:" + port, "-h",
                dir.toString())).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new IOException("busybox httpd for " + name + " did not listen on port " + port + " within 5 s");
    }

    /**
     * SIGKILL (Process.destroyForcibly on Linux is kill -9) to httpd and to the children it forked for open
     * connections (a kill -9 of the parent alone leaves them serving keep-alive connections), then waits for the
     * process to be gone.
     */
    void kill9() throws InterruptedException {
        if (process != null) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    String name() {
        return name;
    }

    Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port);
    }

    Target target() {
        return Target.of(name, "v1", endpoint());
    }

    @Override
    public void close() throws InterruptedException {
        kill9();
    }
}
