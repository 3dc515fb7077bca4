package dev.zdd.nginx;

import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link LocalNginxControl}'s reload through the pid file, against a real nginx. */
class LocalNginxControlIT {
    private static Path nginx() {
        Optional<Path> binary = IntegrationEnvironment.find("nginx", "apt-get install nginx");
        assumeTrue(binary.isPresent(), "nginx is not installed (apt-get install nginx)");
        return binary.get();
    }

    @Test
    void reloadSignalsTheMasterNamedByThePidFile() throws Exception {
        try (TestNginx n = TestNginx.create(nginx(), "app", "http://127.0.0.1:9")) {
            Files.writeString(n.includeFile(), "# empty\n");
            n.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(n.pidFile()));
            long size = Files.size(n.errorLog());
            NginxControl.Result r = n.control().reload();
            assertTrue(r.ok(), r.output());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.readString(n.errorLog()).substring((int) size).contains("signal 1 (SIGHUP) received"));
            assertTrue(n.running());

            // proof that the signal path is taken: a kill program that does not exist
            LocalNginxControl noKill = LocalNginxControl.builder().binary(nginx()).prefix(n.dir()).config(n.mainConfig())
                    .pidFile(n.pidFile()).killBinary(Path.of("/nonexistent/kill")).build();
            NginxControl.Result missing = noKill.reload();
            assertEquals(NginxControl.Result.NOT_STARTED, missing.exitCode(), missing.output());
            assertTrue(missing.output().contains("/nonexistent/kill"), missing.output());
        }
    }

    @Test
    void aPidFileThatDoesNotNameAnNginxMasterFallsBackToNginxReload() throws Exception {
        try (TestNginx n = TestNginx.create(nginx(), "app", "http://127.0.0.1:9")) {
            Files.writeString(n.includeFile(), "# empty\n");
            n.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(n.pidFile()));
            Path stale = n.dir().resolve("stale.pid");
            // this JVM's own pid: signalling it with SIGHUP would end the test run
            Files.writeString(stale, ProcessHandle.current().pid() + "\n");
            LocalNginxControl control = LocalNginxControl.builder().binary(nginx()).prefix(n.dir()).config(n.mainConfig())
                    .pidFile(stale).killBinary(Path.of("/nonexistent/kill")).build();
            long size = Files.size(n.errorLog());
            NginxControl.Result r = control.reload();
            assertTrue(r.ok(), "nginx -s reload ran instead: " + r.output());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.readString(n.errorLog()).substring((int) size).contains("signal 1 (SIGHUP) received"));
            Files.writeString(stale, "12ab\n");
            assertTrue(control.reload().ok(), "a malformed pid file falls back too");
        }
    }
}
