package dev.zdd.docker;

import dev.zdd.docker.testing.DockerTestDaemon;
import dev.zdd.docker.testing.TestImage;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Integration test support: the shared real daemon, the test images, label-based cleanup. */
final class Docker {
    static final String REPO = TestImage.DEFAULT_REPOSITORY;

    private Docker() {
    }

    /** The daemon's host; skips (or fails in CI) when there is none. */
    static String host() {
        var d = DockerTestDaemon.shared();
        assumeTrue(d.isPresent(), "no Docker daemon");
        return d.get().host();
    }

    /** Makes sure the test images used by the tests exist. */
    static void images(DockerClient c) {
        TestImage.ensure(c, REPO, "1", TestImage.Behaviour.HEALTHY);
        TestImage.ensure(c, REPO, "2", TestImage.Behaviour.HEALTHY);
        TestImage.ensure(c, REPO, "broken", TestImage.Behaviour.UNHEALTHY);
        TestImage.ensure(c, REPO, "crash", TestImage.Behaviour.CRASH);
    }

    /** A service name unique to this run. */
    static String uniqueService(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Removes every container (running or not) carrying {@code label=value}; returns how many. */
    static int removeAll(DockerClient c, String label, String value) {
        int n = 0;
        for (ContainerSummary s : c.listContainers(Map.of(label, value), true)) {
            c.removeContainer(s.id(), true);
            n++;
        }
        return n;
    }
}
