package dev.zdd.examples.restarts;

import dev.zdd.core.testing.IntegrationEnvironment;
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
 * Every deploy is a new process, with real parts: a real HAProxy with dynamic servers, busybox httpd backends started
 * by ProcessLauncher, every deploy and every recovery in a NEW child JVM using Engine, BlueGreen, FileJournalStore and
 * FileDeploymentLock through their public APIs ({@link DeployerMain}). 6 deployments alternating versions, then 20
 * trials with SIGKILL of the deployer at a random moment and recovery in a new JVM.
 */
class NewJvmPerDeployIT {
    // (the nginx variant runs the 6 deployments only; the crash loop runs against HAProxy, the zero-loss path)
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void sixDeploysInNewJvmsThenTwentyKilledDeployersRecoverWithNoOrphan() throws Exception {
        Optional<Path> haproxy = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        Optional<Path> busybox = IntegrationEnvironment.find("busybox", "apt-get install busybox-static");
        assumeTrue(haproxy.isPresent() && busybox.isPresent(), "haproxy or busybox is not installed");
        List<String> failures = new ArrayList<>();
        RestartLoop loop = new RestartLoop(RestartLoop.Proxy.HAPROXY, haproxy.get(), busybox.get(), dir, 15).start();
        try {
            long maxMillis = deploySixTimes(loop);
            int converged = 0;
            for (int i = 0; i < 20; i++) {
                Map<String, Object> t = loop.crashTrial(maxMillis);
                Map<String, Object> check = (Map<String, Object>) t.get("check");
                if (Boolean.TRUE.equals(check.get("converged"))) {
                    converged++;
                } else {
                    failures.add("trial " + (i + 1) + ": " + t);
                }
            }
            assertEquals(List.of(), failures, "every trial converges with no orphan");
            assertEquals(20, converged);
        } finally {
            loop.close();
        }
        assertEquals(0, loop.backendProcesses(), "no backend process left behind");
    }

    @Test
    @SuppressWarnings("unchecked")
    void sixDeploysInNewJvmsThroughNginx() throws Exception {
        Optional<Path> nginx = IntegrationEnvironment.find("nginx", "apt-get install nginx");
        Optional<Path> busybox = IntegrationEnvironment.find("busybox", "apt-get install busybox-static");
        assumeTrue(nginx.isPresent() && busybox.isPresent(), "nginx or busybox is not installed");
        RestartLoop loop = new RestartLoop(RestartLoop.Proxy.NGINX, nginx.get(), busybox.get(), dir, 15).start();
        try {
            deploySixTimes(loop);
        } finally {
            loop.close();
        }
        assertEquals(0, loop.backendProcesses(), "no backend process left behind");
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
