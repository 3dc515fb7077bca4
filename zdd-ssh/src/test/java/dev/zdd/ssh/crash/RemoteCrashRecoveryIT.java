package dev.zdd.ssh.crash;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.ssh.RemoteInstance;
import dev.zdd.ssh.testing.TestTopology;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The deployer (a child JVM) is killed with SIGKILL after it launched the new version on the two app hosts and
 * switched both nginx; the remote app processes survive it. A new deployer process (here: this JVM, with the same
 * journal) recovers: it finds the interrupted deployment, puts both nginx back to blue and retires the green processes
 * on the app hosts, which it identifies by their marker files.
 */
class RemoteCrashRecoveryIT {
    @Test
    void remoteProcessesSurviveTheDeployersCrashAndRecoveryCleansThem() throws Exception {
        Optional<TestTopology> t = TestTopology.start("shop", "1.0", List.of("1.0", "2.0"), 1);
        assumeTrue(t.isPresent(), "sshd, nginx or busybox is not installed");
        Path dir = Files.createTempDirectory("zdd-ssh-crash-");
        try (TestTopology topo = t.get()) {
            Path props = dir.resolve("topology.properties");
            try (Writer w = Files.newBufferedWriter(props)) {
                topo.describe().store(w, "topology");
            }
            Process child = startChild(RemoteDeployer.class, props.toString(), dir.toString());
            List<String> lines = new ArrayList<>();
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                long deadline = System.nanoTime() + 90_000_000_000L;
                String line;
                boolean inWindow = false;
                while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("EVENT STEP_STARTED") && line.toLowerCase(Locale.ROOT).contains("pause")) {
                        inWindow = true;
                        break;
                    }
                    if (line.startsWith("DONE")) {
                        break;
                    }
                }
                assertTrue(inWindow, "the child reached the rollback window: " + lines);
            } finally {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
                assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            }
            // the green processes outlived their deployer, and the markers name them
            for (int i = 0; i < 2; i++) {
                List<RemoteInstance> found = topo.appLauncher(i).inventory("shop");
                assertEquals(2, found.size(), found.toString());
                assertTrue(found.stream().allMatch(RemoteInstance::alive), found.toString());
                String green = "shop-green-" + (i + 1);
                assertTrue(found.stream().anyMatch(f -> f.target().id().equals(green)), found.toString());
            }
            try (TestTopology.Attached again = TestTopology.attach(topo.describe())) {
                Optional<Deployment> recovery = RemoteDeployer.engine(again, dir, null).recover("shop");
                assertTrue(recovery.isPresent(), "the interrupted deployment was found");
                DeploymentResult result = recovery.get().await(Duration.ofSeconds(90));
                assertEquals(DeploymentStatus.ROLLED_BACK, result.status(), result.toString());
            }
            for (int i = 0; i < 2; i++) {
                List<RemoteInstance> left = topo.appLauncher(i).inventory("shop");
                assertEquals(1, left.size(), left.toString());
                assertEquals("shop-blue-" + (i + 1), left.get(0).target().id());
                assertTrue(left.get(0).alive());
            }
            assertEquals(topo.initialRouting(), topo.router().current());
            for (int n = 0; n < 2; n++) {
                assertEquals("1.0", get(topo, n));
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static String get(TestTopology topo, int n) throws Exception {
        var e = topo.nginx(n).proxy();
        try (java.net.Socket s = new java.net.Socket(e.host(), e.port())) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String a = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return a.substring(a.indexOf("\r\n\r\n") + 4).strip();
        }
    }

    private static Process startChild(Class<?> main, String... args) throws Exception {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-cp", cp, main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
