package dev.zdd.nginx;

import dev.zdd.api.Routing;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared set-up of the nginx integration tests: finds the nginx binary (skips, or fails under
 * ZDD_REQUIRE_INTEGRATION=true, when it is missing), starts real backends and real nginx, and closes everything in
 * reverse order. Not thread-safe: one per test class (or test), closed in an after-method.
 */
final class NginxFixture implements AutoCloseable {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Path binary;

    /** A fixture for a real nginx; aborts the calling test (assumption) when nginx is not installed. */
    NginxFixture() {
        Optional<Path> found = IntegrationEnvironment.find("nginx", "apt-get install nginx");
        assumeTrue(found.isPresent(), "nginx is not installed (apt-get install nginx)");
        binary = found.get();
    }

    /** The nginx executable. */
    Path binary() {
        return binary;
    }

    /** Registers {@code c} to be closed (in reverse order) by {@link #close()}. */
    <T extends AutoCloseable> T add(T c) {
        closeables.add(c);
        return c;
    }

    /** A started backend answering with {@code version}, closed by {@link #close()}. */
    TestBackend backend(String version) throws IOException {
        return add(TestBackend.start(version));
    }

    /** A prepared (not started) nginx for upstream {@code name}, closed by {@link #close()}. */
    TestNginx prepare(String name) throws IOException {
        return add(TestNginx.create(binary, name));
    }

    /** A started nginx for upstream {@code name} serving {@code initial}, and its router. */
    Running start(String name, Routing initial) throws IOException {
        TestNginx nginx = prepare(name);
        return new Running(nginx, nginx.start(initial));
    }

    /** A started nginx and the router that owns its include file. */
    record Running(TestNginx nginx, NginxRouter router) {
    }

    /** Closes everything added, last first; reports but does not throw failures to close. */
    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + closeables.get(i) + ": " + e);
            }
        }
        closeables.clear();
    }
}
