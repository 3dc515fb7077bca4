package dev.zdd.nginx.internal;

import dev.zdd.nginx.NginxControl;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
