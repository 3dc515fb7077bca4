package dev.zdd.core.launch;

import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spawn-to-record gap of {@link ProcessLauncher}, with real processes: a deployer JVM ({@link GapLauncherMain})
 * SIGKILLed right after spawning a process and before recording it, or right after the pending record and before the
 * spawn; then a new launcher on the same state directory finds (or cleans) what it left. Also a reused pid in a pid
 * file, and a launch in progress seen from the same process.
 */
class ProcessLauncherGapTest {
    private static final String SLEEPER = "while true; do sleep 0.1; done";

    @TempDir
    Path dir;

    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
        started.forEach(ProcessHandle::destroyForcibly);
    }

    private Path state() {
        return dir.resolve("state");
    }

    private ProcessLauncher launcher(int port) {
        return ProcessLauncher.builder().stateDirectory(state()).logDirectory(dir.resolve("logs")).portRange(port, port)
                .command("/bin/sh", "-c", SLEEPER).startupCheck(Duration.ofMillis(100)).build();
    }

    /** Starts a deployer JVM that stops at {@code stage} of a launch, waits until it is there, then SIGKILLs it. */
    private void deployerKilledAt(ProcessLauncher.Stage stage, int port) throws Exception {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java", "-XX:TieredStopAtLevel=1", "-Xmx64m", "-cp", cp, GapLauncherMain.class.getName(),
                state().toString(), dir.resolve("logs").toString(), String.valueOf(port), stage.name(), "/bin/sh", "-c",
                SLEEPER));
        Process deployer = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.add(deployer.toHandle());
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(deployer.getInputStream(), StandardCharsets.UTF_8))) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while (System.nanoTime() < end && (line = r.readLine()) != null) {
                lines.add(line);
                if (line.equals("STOPPED " + stage)) {
                    deployer.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
                    assertTrue(deployer.waitFor(20, TimeUnit.SECONDS), "the deployer JVM died");
                    return;
                }
            }
        } catch (IOException e) {
            lines.add(e.toString());
        }
        throw new AssertionError("the deployer never stopped at " + stage + ": " + lines);
    }


    @Test
    void killedBetweenSpawnAndRecordALaterLauncherFindsTheInstanceAndRetiresIt() throws Exception {
        int port = FreePorts.range(1);
        deployerKilledAt(ProcessLauncher.Stage.SPAWNED, port);
        Path pending = state().resolve("web").resolve("web-blue-1.pending");
        assertTrue(Files.exists(pending), "the launch was recorded as pending before the spawn");
        assertFalse(Files.exists(state().resolve("web").resolve("web-blue-1.instance")), "and never recorded after it");
        await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(state().resolve("web").resolve("web-blue-1.pid")));
        long pid = Long.parseLong(Files.readString(state().resolve("web").resolve("web-blue-1.pid")).trim());
        ProcessHandle orphan = ProcessHandle.of(pid).orElseThrow();
        started.add(orphan);
        assertTrue(orphan.isAlive(), "the process the dead deployer spawned runs");

        ProcessLauncher next = launcher(port);
        List<Target> found = next.discover("web");
        assertEquals(1, found.size(), found.toString());
        Target t = found.get(0);
        assertEquals("web-blue-1", t.id());
        assertEquals("v1", t.version());
        assertEquals("blue", t.attribute("colour"));
        assertEquals(port, t.endpoint().port());
        assertEquals(String.valueOf(pid), t.attribute(ProcessLauncher.PID_ATTRIBUTE));
        assertTrue(Files.exists(state().resolve("web").resolve("web-blue-1.instance")), "now recorded");
        assertFalse(Files.exists(pending), "the pending record is settled");

        // a third launcher retires it by id alone (the record), as the engine's recovery does
        launcher(port).retire(Target.of("web-blue-1", "v1", "127.0.0.1", port), Duration.ofSeconds(5));
        await().atMost(10, TimeUnit.SECONDS).until(() -> !orphan.isAlive());
        assertEquals(List.of(), launcher(port).discover("web"));
        try (var files = Files.list(state().resolve("web"))) {
            assertEquals(List.of(), files.toList(), "no record, pending record or pid file left");
        }
    }

    @Test
    void killedBeforeTheSpawnLeavesOnlyAPendingRecordThatALaterLauncherDrops() throws Exception {
        int port = FreePorts.range(1);
        deployerKilledAt(ProcessLauncher.Stage.PENDING_RECORDED, port);
        Path pending = state().resolve("web").resolve("web-blue-1.pending");
        assertTrue(Files.exists(pending));
        assertEquals(List.of(), launcher(port).discover("web"), "nothing was started");
        assertFalse(Files.exists(pending), "the pending record of a dead launcher with no process is removed");
        LaunchException e = assertThrows(LaunchException.class,
                () -> launcher(port).retire(Target.of("web-blue-1", "v1", "127.0.0.1", port), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("cannot identify its process"), e.getMessage());
        // the id can be launched again
        ProcessLauncher again = launcher(port);
        Target t = again.launch(new LaunchRequest("web", "web-blue-1", "v2", Map.of()));
        started.add(ProcessHandle.of(Long.parseLong(t.attribute(ProcessLauncher.PID_ATTRIBUTE))).orElseThrow());
        again.retire(t, Duration.ofSeconds(5));
    }

    @Test
    void aReusedPidInThePidFileIsNeverTakenForTheInstance() throws Exception {
        int port = FreePorts.range(1);
        deployerKilledAt(ProcessLauncher.Stage.SPAWNED, port);
        Path pidFile = state().resolve("web").resolve("web-blue-1.pid");
        await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(pidFile));
        ProcessHandle orphan = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
        started.add(orphan);
        orphan.destroyForcibly();
        await().atMost(10, TimeUnit.SECONDS).until(() -> !orphan.isAlive());
        // the instance is gone and its pid now names another live process (without the launch token)
        Process stranger = new ProcessBuilder("/bin/sh", "-c", "sleep 60").start();
        started.add(stranger.toHandle());
        Files.writeString(pidFile, stranger.pid() + "\n");
        assertEquals(List.of(), launcher(port).discover("web"));
        assertTrue(stranger.isAlive(), "the stranger is left alone");
        assertFalse(Files.exists(state().resolve("web").resolve("web-blue-1.pending")));
    }

    @Test
    void aLaunchInProgressIsListedButNotTakenOverByTheSameProcess() throws Exception {
        int port = FreePorts.range(1);
        List<List<Target>> seen = new ArrayList<>();
        Path[] files = new Path[2];
        ProcessLauncher[] self = new ProcessLauncher[1];
        self[0] = ProcessLauncher.builder().stateDirectory(state()).logDirectory(dir.resolve("logs")).portRange(port, port)
                .command("/bin/sh", "-c", SLEEPER).startupCheck(Duration.ofMillis(100)).hook(stage -> {
                    if (stage == ProcessLauncher.Stage.SPAWNED) {
                        await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(state().resolve("web")
                                .resolve("web-blue-1.pid")));
                        seen.add(launcher(port).discover("web"));
                        files[0] = state().resolve("web").resolve("web-blue-1.pending");
                        files[1] = state().resolve("web").resolve("web-blue-1.instance");
                        assertTrue(Files.exists(files[0]), "a live launcher's pending record is left to it");
                        assertFalse(Files.exists(files[1]));
                    }
                }).build();
        Target t = self[0].launch(new LaunchRequest("web", "web-blue-1", "v1", Map.of()));
        started.add(ProcessHandle.of(Long.parseLong(t.attribute(ProcessLauncher.PID_ATTRIBUTE))).orElseThrow());
        assertEquals(List.of(List.of(t)), seen, "listed while its launch was in progress");
        assertFalse(Files.exists(files[0]));
        assertTrue(Files.exists(files[1]));
        assertFalse(Files.exists(state().resolve("web").resolve("web-blue-1.pid")), "the pid file is removed after the check");
        self[0].retire(t, Duration.ofSeconds(5));
        assertEquals(List.of(), launcher(port).discover("web"));
    }
}
