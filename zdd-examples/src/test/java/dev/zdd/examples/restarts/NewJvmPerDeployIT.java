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
        List<String> reported = new ArrayList<>();
        RestartLoop loop = new RestartLoop(RestartLoop.Proxy.HAPROXY, haproxy.get(), busybox.get(), dir, 15).start();
        try {
            long maxMillis = deploySixTimes(loop);
            int converged = 0;
            for (int i = 0; i < 20; i++) {
                Map<String, Object> t = loop.crashTrial(maxMillis);
                Map<String, Object> check = (Map<String, Object>) t.get("check");
                if (Boolean.TRUE.equals(check.get("converged"))) {
                    converged++;
                } else if (reportedSpawnWindow(t, check)) {
                    // ProcessLauncher's known gap: killed between starting a backend and recording it; the recovery
                    // could not find that process, and said so (FAILED, "an instance may be running")
                    reported.add("trial " + (i + 1) + ": " + t);
                } else {
                    failures.add("trial " + (i + 1) + ": " + t);
                }
            }
            if (!reported.isEmpty()) {
                System.out.println("[zdd] trials whose orphan the recovery reported (spawn-to-record window): " + reported);
            }
            assertEquals(List.of(), failures, "every trial converges, or its recovery reports what it could not find");
            assertEquals(20, converged + reported.size());
            assertTrue(reported.size() <= 2, "the spawn-to-record window is rare: " + reported);
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

    /** Traffic converged and the only problem is a backend nobody recorded, which the recovery reported as FAILED. */
    @SuppressWarnings("unchecked")
    private static boolean reportedSpawnWindow(Map<String, Object> trial, Map<String, Object> check) {
        List<String> orphans = (List<String>) check.get("orphans");
        Map<String, Integer> answers = (Map<String, Integer>) check.get("answers");
        return !orphans.isEmpty() && orphans.stream().allMatch(o -> o.startsWith("unrecorded pid "))
                && answers.size() == 1 && check.get("live").equals(check.get("serving"))
                && String.valueOf(trial.get("recovery")).startsWith("RECOVERED FAILED");
    }
}
