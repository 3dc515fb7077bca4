package dev.zdd.docker;

import dev.zdd.docker.testing.DockerTestDaemon;
import dev.zdd.docker.testing.TestImage;
import org.junit.jupiter.api.Assumptions;

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
        assumeTrue(d.isPresent(), "no Docker daemon (apt-get install docker.io, then as root bash .ci/dockerd.sh start"
                + " and export ZDD_DOCKER_HOST=$(bash .ci/dockerd.sh host))");
        return d.get().host();
    }

    /**
     * Skips (or fails in CI) when zdd's test image cannot be made here: {@code /bin/busybox} (busybox-static) is
     * missing or not statically linked.
     */
    static void requireTestImageSource() {
        TestImage.whyUnavailable().ifPresent(Assumptions::abort);
    }

    /** Makes sure the test images used by the tests exist; skips (or fails in CI) when they cannot be made. */
    static void images(DockerClient c) {
        requireTestImageSource();
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
