package dev.zdd.examples.restarts;

import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.docker.testing.DockerTestDaemon;
import dev.zdd.docker.testing.TestImage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every deploy is a new process, with real parts: a real proxy, real backends started by a real launcher, every deploy
 * and every recovery in a NEW child JVM using Engine, BlueGreen, FileJournalStore and FileDeploymentLock through their
 * public APIs ({@link DeployerMain}). For each setup (HAProxy with dynamic servers, HAProxy with configured servers,
 * nginx, the health-check-file router behind HAProxy, all with ProcessLauncher; and HAProxy with DockerLauncher), 6
 * deployments alternating versions: colours alternate, exactly the new instances run afterwards, nothing is left
 * behind, every request through the proxy is answered 200 by the new version. Then, with HAProxy and ProcessLauncher,
 * 20 trials with SIGKILL of the deployer at a random moment and recovery in a new JVM: every trial converges with no
 * orphan and no FAILED recovery.
 */
class NewJvmPerDeployIT {
    @TempDir
    Path dir;

    private static Path need(String program, String install) {
        Optional<Path> p = IntegrationEnvironment.find(program, install);
        assumeTrue(p.isPresent(), program + " is not installed (" + install + ")");
        return p.get();
    }

    private static Path haproxy() {
        return need("haproxy", "apt-get install haproxy");
    }

    private static Path busybox() {
        return need("busybox", "apt-get install busybox-static");
    }

    @Test
    @SuppressWarnings("unchecked")
    void sixDeploysInNewJvmsThenTwentyKilledDeployersRecoverWithNoOrphan() throws Exception {
        RestartLoop loop = new RestartLoop(RestartLoop.Proxy.HAPROXY, haproxy(), busybox(), dir, 15).start();
        List<String> failures = new ArrayList<>();
        try {
            long maxMillis = deploySixTimes(loop);
            for (int i = 0; i < 20; i++) {
                Map<String, Object> t = loop.crashTrial(maxMillis);
                if (!Boolean.TRUE.equals(t.get("converged"))) {
                    failures.add("trial " + (i + 1) + ": " + t);
                }
            }
        } finally {
            loop.close();
        }
        assertEquals(List.of(), failures, "every trial converges: one version, all 200, no orphan, no FAILED recovery");
        assertEquals(0, loop.leftBehind(), "no backend process left behind");
    }

    @Test
    void sixDeploysInNewJvmsThroughNginx() throws Exception {
        sixDeploys(new RestartLoop(RestartLoop.Proxy.NGINX, need("nginx", "apt-get install nginx"), busybox(), dir, 15));
    }

    @Test
    void sixDeploysInNewJvmsThroughHaproxyConfiguredServers() throws Exception {
        sixDeploys(new RestartLoop(RestartLoop.Proxy.HAPROXY_CONFIGURED, haproxy(), busybox(), dir, 15));
    }

    @Test
    void sixDeploysInNewJvmsThroughHealthCheckFilesPolledByHaproxy() throws Exception {
        sixDeploys(new RestartLoop(RestartLoop.Proxy.HEALTH_FILES, haproxy(), busybox(), dir, 15));
    }

    @Test
    void sixDeploysInNewJvmsOfDockerContainersThroughHaproxy() throws Exception {
        Path haproxy = haproxy();
        Optional<DockerTestDaemon> daemon = DockerTestDaemon.shared();
        assumeTrue(daemon.isPresent(), "no Docker daemon (see the message above)");
        TestImage.whyUnavailable().ifPresent(Assumptions::abort);
        sixDeploys(new RestartLoop(RestartLoop.Proxy.HAPROXY, haproxy, TestImage.BUSYBOX, dir, 15)
                .docker(daemon.get().host()));
    }

    private static void sixDeploys(RestartLoop loop) throws Exception {
        try {
            loop.start();
            deploySixTimes(loop);
        } finally {
            loop.close();
        }
        assertEquals(0, loop.leftBehind(), "no backend process or container left behind");
    }

    @SuppressWarnings("unchecked")
    private static long deploySixTimes(RestartLoop loop) throws Exception {
        long maxMillis = 0;
        String colour = "none";
        for (int i = 0; i < 6; i++) {
            Map<String, Object> d = loop.deploy();
            maxMillis = Math.max(maxMillis, (Long) d.get("millis"));
            Map<String, Object> check = (Map<String, Object>) d.get("check");
            String expected = i % 2 == 0 ? "v1" : "v2";
            assertTrue(String.valueOf(d.get("result")).startsWith("DONE SUCCEEDED"), "deploy " + (i + 1) + ": " + d);
            assertEquals(Map.of(expected, 40), check.get("answers"), "deploy " + (i + 1) + ": " + d);
            assertEquals(true, check.get("converged"), "deploy " + (i + 1) + ": " + d);
            assertEquals(2, ((java.util.Set<?>) check.get("live")).size(), "exactly the 2 new instances: " + d);
            String after = (String) d.get("colourAfter");
            assertEquals(colour.equals("blue") ? "green" : "blue", after, "colours alternate: " + d);
            colour = after;
        }
        return maxMillis;
    }
}
