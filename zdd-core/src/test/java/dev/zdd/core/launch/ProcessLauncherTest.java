package dev.zdd.core.launch;

import dev.zdd.api.HealthResult;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.testing.IntegrationEnvironment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ProcessLauncher} with real child processes: busybox httpd (probed over HTTP) and /bin/sh scripts. */
class ProcessLauncherTest {
    private static final String SH = "/bin/sh";
    private static final String SECRET = "hunter2-secret-value";

    @TempDir
    Path dir;

    private static LaunchRequest request(String id, String version) {
        return new LaunchRequest("web", id, version, Map.of("colour", "blue"));
    }

    private ProcessLauncher.Builder base() {
        return ProcessLauncher.builder().portRange(22000, 22999).logDirectory(dir.resolve("logs")).workingDirectory(dir)
                .startupCheck(Duration.ofMillis(300));
    }

    @Test
    void busyboxHttpdServesAndRetiresWithSigterm() throws Exception {
        Optional<Path> busybox = IntegrationEnvironment.find("busybox", "apt-get install busybox-static");
        Assumptions.assumeTrue(busybox.isPresent());
        for (String v : new String[] {"1.0", "2.0"}) {
            Path docroot = Files.createDirectories(dir.resolve("www-" + v));
            Files.writeString(docroot.resolve("health"), "version " + v);
        }
        ProcessLauncher launcher = base()
                .command(busybox.get().toString(), "httpd", "-f", "-p", "127.0.0.1:{port}", "-h", "www-{version}").build();
        Target one = launcher.launch(request("web-1", "1.0"));
        Target two = launcher.launch(request("web-2", "2.0"));
        try {
            assertNotEquals(one.endpoint().port(), two.endpoint().port());
            assertTrue(one.endpoint().port() >= 22000 && one.endpoint().port() <= 22999, one.toString());
            assertEquals("blue", one.attribute("colour"));
            long pid = Long.parseLong(one.attribute(ProcessLauncher.PID_ATTRIBUTE));
            assertTrue(ProcessHandle.of(pid).orElseThrow().isAlive());
            HttpProbe probe = HttpProbe.builder().bodyContains("version 2.0").build();
            await().atMost(10, TimeUnit.SECONDS).until(() -> probe.check(two, Duration.ofSeconds(1)).isHealthy());
            HealthResult wrong = probe.check(one, Duration.ofSeconds(1));
            assertTrue(wrong.reason().contains("body does not contain 'version 2.0': version 1.0"), wrong.reason());

            long t0 = System.nanoTime();
            launcher.retire(one, Duration.ofSeconds(10));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertTrue(ms < 9_000, "SIGTERM should stop httpd well before the grace period, took " + ms + " ms");
            HealthResult gone = HttpProbe.create().check(one, Duration.ofSeconds(1));
            assertTrue(gone.reason().endsWith("connection refused"), gone.reason());
            launcher.retire(one, Duration.ofSeconds(1)); // already gone: not an error
        } finally {
            launcher.retire(one, Duration.ofSeconds(1));
            launcher.retire(two, Duration.ofSeconds(1));
        }
    }

    @Test
    void earlyExitFailsWithExitCodeAndLogTail() {
        ProcessLauncher launcher = base().command(SH, "-c", "echo starting {id} {version} on {port}; echo 'bind: address in use' >&2; exit 3")
                .startupCheck(Duration.ofSeconds(5)).build();
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(request("api-1", "1.2")));
        assertTrue(e.getMessage().startsWith("target api-1 (version 1.2, pid "), e.getMessage());
        assertTrue(e.getMessage().contains(": /bin/sh exited with code 3 within startup check of 5000 ms; last lines of "),
                e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*\\| starting api-1 1\\.2 on 22\\d\\d\\d\n  \\| bind: address in use$"),
                e.getMessage());
    }

    @Test
    void processIgnoringSigtermIsKilledAfterGrace() throws Exception {
        ProcessLauncher launcher = base()
                .command(SH, "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done").build();
        Target t = launcher.launch(request("stubborn", "1"));
        long pid = Long.parseLong(t.attribute(ProcessLauncher.PID_ATTRIBUTE));
        long t0 = System.nanoTime();
        launcher.retire(t, Duration.ofMillis(700));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "killed");
        assertTrue(ms >= 650, "SIGKILL must come only after the grace period, came after " + ms + " ms");
        assertTrue(Files.readString(launcher.logFile("stubborn")).contains("ready"));
    }

    @Test
    void anotherLauncherInstanceRetiresByPidAndStartTimeOnly() throws Exception {
        ProcessLauncher first = base().command(SH, "-c", "while true; do sleep 0.1; done").build();
        Target t = first.launch(request("orphan", "1"));
        long pid = Long.parseLong(t.attribute(ProcessLauncher.PID_ATTRIBUTE));
        try {
            ProcessLauncher second = base().command(SH, "-c", "true").build();
            // a stale start time means "another process reusing the pid": left alone
            second.retire(t.withAttribute(ProcessLauncher.STARTED_ATTRIBUTE, "12345"), Duration.ofSeconds(1));
            assertTrue(ProcessHandle.of(pid).orElseThrow().isAlive());
            second.retire(t, Duration.ofSeconds(5));
            await().atMost(5, TimeUnit.SECONDS).until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            second.retire(Target.of("never-launched", "1", "127.0.0.1", 1), Duration.ofSeconds(1));
        } finally {
            first.retire(t, Duration.ofSeconds(1));
        }
    }

    @Test
    void environmentReachesTheProcessButNeverMessages() throws Exception {
        ProcessLauncher launcher = base().environment("APP_SECRET", SECRET).inheritEnvironment(false)
                .command(SH, "-c", "echo secret=$APP_SECRET; echo home=${HOME:-unset}; exit 1").startupCheck(Duration.ofSeconds(5)).build();
        assertFalse(launcher.toString().contains(SECRET), launcher.toString());
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(request("env-1", "1")));
        // the process printed it itself: that is its log, not ours; our own words never contain it
        assertTrue(Files.readString(launcher.logFile("env-1")).contains("secret=" + SECRET));
        assertTrue(Files.readString(launcher.logFile("env-1")).contains("home=unset"));
        assertTrue(e.getMessage().startsWith("target env-1 (version 1, pid "), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ProcessLauncher.builder().environment("APP_SECRET", SECRET + "\0"));
        assertFalse(bad.getMessage().contains(SECRET), bad.getMessage());
    }

    @Test
    void portRangeExhaustionAndRelaunchOfARunningId() throws Exception {
        ProcessLauncher launcher = base().portRange(22500, 22500).command(SH, "-c", "while true; do sleep 0.1; done").build();
        Target t = launcher.launch(request("only", "1"));
        try {
            LaunchException running = assertThrows(LaunchException.class, () -> launcher.launch(request("only", "1")));
            assertTrue(running.getMessage().contains("is already running as pid"), running.getMessage());
            LaunchException full = assertThrows(LaunchException.class, () -> launcher.launch(request("other", "1")));
            assertEquals("target other: no free port in 22500-22500 on 127.0.0.1 (this launcher holds 1)", full.getMessage());
        } finally {
            launcher.retire(t, Duration.ofSeconds(2));
        }
        Target again = launcher.launch(request("other", "1"));
        assertEquals(22500, again.endpoint().port());
        launcher.retire(again, Duration.ofSeconds(2));
    }

    @Test
    void missingProgramAndBadInput() {
        ProcessLauncher launcher = base().command(dir.resolve("no-such-program").toString()).build();
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(request("x", "1")));
        assertTrue(e.getMessage().startsWith("target x: cannot start " + dir.resolve("no-such-program")), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProcessLauncher.builder().build());
        assertThrows(IllegalArgumentException.class, () -> ProcessLauncher.builder().command(List.of()));
        assertThrows(IllegalArgumentException.class, () -> ProcessLauncher.builder().command("java", "a\nb"));
        assertThrows(IllegalArgumentException.class, () -> ProcessLauncher.builder().portRange(10, 5));
        assertThrows(IllegalArgumentException.class, () -> ProcessLauncher.builder().environment("A=B", "x"));
        assertThrows(IllegalArgumentException.class, () -> ProcessLauncher.builder().host("bad host"));
        assertThrows(IllegalArgumentException.class, () -> ProcessLauncher.builder().workingDirectory(dir.resolve("missing")));
    }
}
