package dev.zdd.nginx.internal;

import dev.zdd.nginx.NginxControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcessRunnerTest {
    @Test
    void aCommandThatOutlivesItsTimeoutIsKilledAndReported() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sleep")), "needs /bin/sleep");
        long t0 = System.nanoTime();
        NginxControl.Result r = ProcessRunner.run(List.of("/bin/sleep", "30"), Duration.ofMillis(300));
        assertEquals(NginxControl.Result.TIMED_OUT, r.exitCode());
        assertTrue(r.output().contains("timed out after 300 ms"), r.output());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(25).toNanos(), "killed long before it would have ended");
    }

    @Test
    void aBackgroundChildHoldingTheOutputDoesNotBlockTheCaller(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")) && Files.isExecutable(Path.of("/bin/sleep")),
                "needs /bin/sh and /bin/sleep");
        // the command exits at once but leaves a child that inherits its stdout and sleeps for 5 minutes
        Path script = dir.resolve("forks.sh");
        Files.writeString(script, "#!/bin/sh\necho started\n/bin/sleep 300 &\necho \"child $!\"\nexit 3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        NginxControl.Result r = ProcessRunner.run(List.of(script.toString()), Duration.ofSeconds(60));
        Matcher child = Pattern.compile("child ([0-9]+)").matcher(r.output());
        try {
            assertEquals(3, r.exitCode(), "the command's own exit code, not a timeout: " + r.output());
            assertTrue(r.output().startsWith("started"), r.output());
            assertTrue(child.find(), r.output());
        } finally {
            if (child.find(0)) {
                Optional<ProcessHandle> sleeper = ProcessHandle.of(Long.parseLong(child.group(1)));
                assertTrue(sleeper.isPresent() && sleeper.get().isAlive(), "the child outlived the command");
                sleeper.get().destroyForcibly();
            }
        }
    }

    @Test
    void anInterruptStopsTheWaitAndKillsTheCommand() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sleep")), "needs /bin/sleep");
        Thread.currentThread().interrupt();
        try {
            NginxControl.Result r = ProcessRunner.run(List.of("/bin/sleep", "300"), Duration.ofSeconds(60));
            assertEquals(NginxControl.Result.TIMED_OUT, r.exitCode());
            assertTrue(r.output().startsWith("interrupted while running [/bin/sleep, 300]"), r.output());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is kept");
        } finally {
            Thread.interrupted();
        }
        await("the command is killed").atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.current().children()
                .noneMatch(p -> p.info().commandLine().orElse("").equals("/bin/sleep 300")));
    }

    @Test
    void exitCodeAndOutputAreReported() {
        assumeTrue(Files.isExecutable(Path.of("/bin/ls")), "needs /bin/ls");
        NginxControl.Result r = ProcessRunner.run(List.of("/bin/ls", "/no/such/dir"), Duration.ofSeconds(10));
        assertTrue(r.exitCode() != 0 && !r.ok());
        assertTrue(r.output().contains("/no/such/dir"), r.output());
        assertTrue(ProcessRunner.run(List.of("/bin/ls", "/"), Duration.ofSeconds(10)).ok());
    }

    @Test
    void aMissingProgramIsNotStarted() {
        NginxControl.Result r = ProcessRunner.run(List.of("/no/such/nginx", "-t"), Duration.ofSeconds(10));
        assertEquals(NginxControl.Result.NOT_STARTED, r.exitCode());
        assertTrue(r.output().startsWith("cannot run [/no/such/nginx, -t]"), r.output());
    }
}
