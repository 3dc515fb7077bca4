package dev.zdd.core.launch;

import dev.zdd.api.HealthResult;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.testing.IntegrationEnvironment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

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

    private static final int PORTS = 20;

    @TempDir
    Path dir;

    /** First port of a run of {@link #PORTS} free loopback ports, found right before each test. */
    private int firstPort;

    @BeforeEach
    void ports() {
        firstPort = FreePorts.range(PORTS);
    }

    private static LaunchRequest request(String id, String version) {
        return new LaunchRequest("web", id, version, Map.of("colour", "blue"));
    }

    private ProcessLauncher.Builder base() {
        return ProcessLauncher.builder().portRange(firstPort, firstPort + PORTS - 1).logDirectory(dir.resolve("logs")).workingDirectory(dir)
                .stateDirectory(dir.resolve("state")).startupCheck(Duration.ofMillis(300));
    }

    @Test
    void busyboxHttpdServesAndRetiresWithSigterm() throws Exception {
        Optional<Path> busybox = IntegrationEnvironment.find("busybox", "apt-get install busybox-static");
        Assumptions.assumeTrue(busybox.isPresent(), "busybox is not installed (apt-get install busybox-static)");
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
            assertTrue(one.endpoint().port() >= firstPort && one.endpoint().port() < firstPort + PORTS, one.toString());
            assertEquals("blue", one.attribute("colour"));
            long pid = Long.parseLong(one.attribute(ProcessLauncher.PID_ATTRIBUTE));
            assertTrue(ProcessHandle.of(pid).orElseThrow().isAlive());
            HttpProbe probe = HttpProbe.builder().bodyContains("version 2.0").build();
            await().atMost(10, TimeUnit.SECONDS).until(() -> probe.check(two, Duration.ofSeconds(1)).isHealthy());
            HealthResult wrong = probe.check(one, Duration.ofSeconds(1));
            assertTrue(wrong.reason().contains("body does not contain 'version 2.0': version 1.0"), wrong.reason());

            launcher.retire(one, Duration.ofSeconds(10));
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            HealthResult gone = HttpProbe.create().check(one, Duration.ofSeconds(1));
            assertTrue(gone.reason().endsWith("connection refused"), gone.reason());
            launcher.retire(one, Duration.ofSeconds(1)); // already gone: not an error
        } finally {
            launcher.retire(one, Duration.ofSeconds(1));
            launcher.retire(two, Duration.ofSeconds(1));
        }
    }

    @Test
    void aPortWhoseOnlyUsersAreTimeWaitConnectionsOfTheRetiredInstanceIsHandedOutAgain() throws Exception {
        // regression: the port check bound without SO_REUSEADDR, so the port of an instance that had served a request
        // (the server closes first: its side stays in TIME_WAIT for 60 s) was skipped; with one port per target (HAProxy
        // configured servers, health-check files) the relaunch then found no port or another one
        Optional<Path> busybox = IntegrationEnvironment.find("busybox", "apt-get install busybox-static");
        Assumptions.assumeTrue(busybox.isPresent(), "busybox is not installed (apt-get install busybox-static)");
        Path docroot = Files.createDirectories(dir.resolve("www-1"));
        Files.writeString(docroot.resolve("health"), "ok");
        ProcessLauncher launcher = base().portRange(firstPort, firstPort)
                .command(busybox.get().toString(), "httpd", "-f", "-p", "127.0.0.1:{port}", "-h", "www-{version}").build();
        Target one = launcher.launch(request("web-1", "1"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> HttpProbe.create().check(one, Duration.ofSeconds(1)).isHealthy());
        launcher.retire(one, Duration.ofSeconds(5));
        Target again = launcher.launch(request("web-1", "1"));
        try {
            assertEquals(firstPort, again.endpoint().port());
            await().atMost(10, TimeUnit.SECONDS).until(() -> HttpProbe.create().check(again, Duration.ofSeconds(1)).isHealthy());
        } finally {
            launcher.retire(again, Duration.ofSeconds(5));
        }
    }

    @Test
    void earlyExitFailsWithExitCodeAndLogPath() {
        String script = "echo starting {id} {version} on {port}; echo 'bind: address in use' >&2; exit 3";
        ProcessLauncher launcher = base().command(SH, "-c", script).startupCheck(Duration.ofSeconds(5)).build();
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(request("api-1", "1.2")));
        assertTrue(e.getMessage().startsWith("target api-1 (version 1.2, pid "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": /bin/sh exited with code 3 within startup check of 5000 ms; see its log "
                + launcher.logFile("api-1")), e.getMessage());
        assertEquals(0, ProcessLauncher.DEFAULT_LOG_TAIL_LINES, "quoting the app's output is opt-in");

        ProcessLauncher quoting = base().command(SH, "-c", script).startupCheck(Duration.ofSeconds(5)).logTailLines(5).build();
        LaunchException quoted = assertThrows(LaunchException.class, () -> quoting.launch(request("api-2", "1.2")));
        assertTrue(quoted.getMessage().matches("(?s).*; see its log " + Pattern.quote(quoting.logFile("api-2").toString())
                + ", last lines:\n  \\| starting api-2 1\\.2 on \\d+\n  \\| bind: address in use$"), quoted.getMessage());
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

    /** The parent exits at once on SIGTERM; its child needs a moment to shut down and gets it. */
    @Test
    void descendantsGetTheSameGraceAfterTheParentExits() throws Exception {
        Files.writeString(dir.resolve("child.sh"), "trap 'sleep 1; echo child-done; exit 0' TERM\n"
                + "echo child-ready\nwhile true; do sleep 0.1; done\n");
        ProcessLauncher launcher = base().command(SH, "-c",
                SH + " child.sh & echo $! > child.pid; trap 'exit 0' TERM; while true; do sleep 0.1; done").build();
        Target t = launcher.launch(request("parent", "1"));
        long child = childPid(launcher, "parent");
        launcher.retire(t, Duration.ofSeconds(20));
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(Files.readString(launcher.logFile("parent")).contains("child-done"),
                "the child shut down cleanly, not SIGKILLed right after its parent: " + Files.readString(launcher.logFile("parent")));
    }

    /** A descendant ignoring SIGTERM is killed once the grace period is over, even though its parent exited in time. */
    @Test
    void descendantIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        Files.writeString(dir.resolve("child.sh"), "trap '' TERM\necho child-ready\nwhile true; do sleep 0.1; done\n");
        ProcessLauncher launcher = base().command(SH, "-c",
                SH + " child.sh & echo $! > child.pid; trap 'exit 0' TERM; while true; do sleep 0.1; done").build();
        Target t = launcher.launch(request("parent", "1"));
        long child = childPid(launcher, "parent");
        try {
            launcher.retire(t, Duration.ofSeconds(1));
            await().atMost(10, TimeUnit.SECONDS).until(() -> !ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private long childPid(ProcessLauncher launcher, String id) throws Exception {
        Path pidFile = dir.resolve("child.pid");
        await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank()
                && Files.readString(launcher.logFile(id)).contains("child-ready"));
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
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
            // a target it cannot identify (no record, no pid/start attributes) is never reported as retired
            LaunchException e = assertThrows(LaunchException.class,
                    () -> second.retire(Target.of("never-launched", "1", "127.0.0.1", 1), Duration.ofSeconds(1)));
            assertTrue(e.getMessage().startsWith("retire never-launched: cannot identify its process: no record of it in "),
                    e.getMessage());
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
        assertFalse(e.getMessage().contains(SECRET), "the app's output is not quoted by default: " + e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ProcessLauncher.builder().environment("APP_SECRET", SECRET + "\0"));
        assertFalse(bad.getMessage().contains(SECRET), bad.getMessage());
        IllegalArgumentException badArg = assertThrows(IllegalArgumentException.class,
                () -> ProcessLauncher.builder().command("java", "-jar", "app.jar", "--db.password=" + SECRET + "\n"));
        assertEquals("processLauncher.command[3] is invalid: contains a NUL or line break (value hidden)", badArg.getMessage());
    }

    @Test
    void portRangeExhaustionAndRelaunchOfARunningId() throws Exception {
        int port = FreePorts.range(1);
        ProcessLauncher launcher = base().portRange(port, port).command(SH, "-c", "while true; do sleep 0.1; done").build();
        Target t = launcher.launch(request("only", "1"));
        try {
            LaunchException running = assertThrows(LaunchException.class, () -> launcher.launch(request("only", "1")));
            assertTrue(running.getMessage().contains("is already running as pid"), running.getMessage());
            LaunchException full = assertThrows(LaunchException.class, () -> launcher.launch(request("other", "1")));
            assertEquals("target other: no free port in " + port + "-" + port + " on 127.0.0.1 (this launcher holds 1)",
                    full.getMessage());
        } finally {
            launcher.retire(t, Duration.ofSeconds(2));
        }
        Target again = launcher.launch(request("other", "1"));
        assertEquals(port, again.endpoint().port());
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

    @Test
    void aLauncherInANewProcessDiscoversWhatTheLastOneStartedAndRetiresItByTheRecord() throws Exception {
        ProcessLauncher first = base().command(SH, "-c", "while true; do sleep 0.1; done").build();
        Target a = first.launch(new LaunchRequest("web", "web-blue-1", "1", Map.of("colour", "blue")));
        Target b = first.launch(new LaunchRequest("web", "web-blue-2", "1", Map.of("colour", "blue")));
        Target other = first.launch(new LaunchRequest("api", "api-1", "7", Map.of()));
        try {
            // another launcher object with the same state directory: what a later deployer process builds
            ProcessLauncher second = base().command(SH, "-c", "true").build();
            assertEquals(List.of(a, b), second.discover("web"), "ids, versions, endpoints, colour, pid and start time");
            assertEquals(List.of(other), second.discover("api"));
            // the same id cannot be launched twice while the recorded one lives
            LaunchException dup = assertThrows(LaunchException.class,
                    () -> second.launch(new LaunchRequest("web", "web-blue-1", "2", Map.of())));
            assertTrue(dup.getMessage().contains("is already running as pid " + a.attribute("pid")), dup.getMessage());
            // retire by the record alone: the target as a router without attributes would report it
            second.retire(Target.of("web-blue-1", "1", "127.0.0.1", a.endpoint().port()), Duration.ofSeconds(5));
            assertFalse(alive(a));
            assertEquals(List.of(b), second.discover("web"));
            // a recorded process that exited (killed behind the launcher's back) is verifiably gone: no error
            ProcessHandle.of(pid(b)).orElseThrow().destroyForcibly();
            await().atMost(5, TimeUnit.SECONDS).until(() -> !alive(b));
            second.retire(b, Duration.ofSeconds(1));
            assertEquals(List.of(), second.discover("web"));
            assertFalse(Files.exists(dir.resolve("state").resolve("web").resolve("web-blue-2.instance")));
        } finally {
            for (Target t : List.of(a, b, other)) {
                if (alive(t)) {
                    ProcessHandle.of(pid(t)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> !alive(other));
    }

    @Test
    void discoverDropsRecordsOfExitedProcessesAndAFailedLaunchLeavesNoRecord() throws Exception {
        ProcessLauncher l = base().command(SH, "-c", "sleep 30").build();
        Target t = l.launch(request("short", "1"));
        ProcessHandle.of(pid(t)).orElseThrow().destroyForcibly();
        await().atMost(5, TimeUnit.SECONDS).until(() -> !alive(t));
        assertEquals(List.of(), base().command(SH).build().discover("web"));
        assertFalse(Files.exists(dir.resolve("state").resolve("web").resolve("short.instance")));
        ProcessLauncher failing = base().command(SH, "-c", "exit 3").build();
        assertThrows(LaunchException.class, () -> failing.launch(request("failing", "1")));
        assertFalse(Files.exists(dir.resolve("state").resolve("web").resolve("failing.instance")));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> l.discover("../etc"));
        assertTrue(bad.getMessage().contains("launch.service"), bad.getMessage());
    }

    private static long pid(Target t) {
        return Long.parseLong(t.attribute(ProcessLauncher.PID_ATTRIBUTE));
    }

    private static boolean alive(Target t) {
        return ProcessHandle.of(pid(t)).map(ProcessHandle::isAlive).orElse(false);
    }
}
