package dev.zdd.ssh;

import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.ssh.testing.TestSshHost;
import dev.zdd.ssh.testing.TestSshLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Remote processes on a simulated host: launch on an idle port, retire, inventory, refusals. */
class SshProcessLauncherIT {
    private static TestSshLab lab;
    private static SshClientPool pool;
    private static TestSshHost app;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(IntegrationEnvironment.find("busybox", "apt-get install busybox-static").isPresent(), "busybox missing");
        Optional<TestSshLab> l = TestSshLab.create(1, 5);
        assumeTrue(l.isPresent(), "sshd is not installed (apt-get install openssh-server)");
        lab = l.get();
        pool = lab.pool();
        app = lab.host(0);
        SshFiles files = new SshFiles(pool, app.sshHost(), Duration.ofSeconds(10));
        for (String v : List.of("1.0", "2.0")) {
            files.write(RemotePath.of(app.workDir() + "/www/" + v + "/index.html"), v + "\n");
        }
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            try {
                // a failed test must not leave its processes running on the host
                SshProcessLauncher l = launcher().build();
                for (String service : List.of("shop", "stubborn", "bad")) {
                    l.inventory(service).forEach(i -> l.retire(i.target(), Duration.ZERO));
                }
            } finally {
                lab.close();
            }
        }
    }

    static SshProcessLauncher.Builder launcher() {
        return SshProcessLauncher.builder(pool, app.sshHost())
                .command("busybox", "httpd", "-f", "-p", "{host}:{port}", "-h", app.workDir() + "/www/{version}")
                .portRange(20000 + (int) (ProcessHandle.current().pid() % 20000), 20000 + (int) (ProcessHandle.current().pid() % 20000) + 9)
                .stateDirectory(RemotePath.of(app.workDir() + "/zdd"))
                .startupCheck(Duration.ofMillis(200));
    }

    @Test
    void launchesOnIdlePortsDetachedAndRetiresWithSigterm() throws Exception {
        SshProcessLauncher l = launcher().build();
        Target a = l.launch(new LaunchRequest("shop", "a1", "1.0", Map.of("colour", "blue")));
        Target b = l.launch(new LaunchRequest("shop", "b1", "2.0", Map.of("colour", "green")));
        assertNotEquals(a.endpoint().port(), b.endpoint().port());
        assertEquals(app.address(), a.endpoint().host());
        assertEquals("1.0", awaitGet(a));
        assertEquals("2.0", awaitGet(b));
        long pid = Long.parseLong(a.attribute(SshProcessLauncher.PID_ATTRIBUTE));
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        assertEquals(app.user(), h.info().user().orElse(""), "runs as the host's user");
        // its own session: the ssh connection can go away, the process stays
        pool.disconnect(app.sshHost());
        assertTrue(running(pid));

        List<RemoteInstance> found = l.inventory("shop");
        assertEquals(2, found.size());
        assertTrue(found.stream().allMatch(RemoteInstance::alive));
        assertEquals("blue", found.stream().filter(i -> i.target().id().equals("a1")).findFirst().orElseThrow()
                .target().attribute("colour"));

        LaunchException twice = assertThrows(LaunchException.class,
                () -> l.launch(new LaunchRequest("shop", "a1", "1.0", Map.of())));
        assertTrue(twice.getMessage().contains("already running"), twice.getMessage());

        // the engine's view of the inventory (TargetInventory): the live instances as targets
        assertEquals(List.of("a1", "b1"), l.discover("shop").stream().map(Target::id).sorted().toList());

        l.retire(a, Duration.ofSeconds(5));
        assertFalse(running(pid));
        assertEquals(List.of("b1"), l.discover("shop").stream().map(Target::id).toList(), "a retired one is gone");
        // a new launcher (another deployer process) finds and retires b1 by its marker alone
        SshProcessLauncher other = launcher().build();
        other.retire(new Target("b1", "2.0", b.endpoint(), Map.of()), Duration.ofSeconds(5));
        assertTrue(other.inventory("shop").isEmpty());
        assertThrows(IOException.class, () -> Http.get(b.endpoint(), "/"));
        // already gone, with its pid attributes: not an error
        other.retire(b, Duration.ofSeconds(1));
    }

    @Test
    void retireOfATargetItCannotIdentifyIsAnError() {
        SshProcessLauncher l = launcher().build();
        LaunchException e = assertThrows(LaunchException.class,
                () -> l.retire(Target.of("stranger", "1.0", app.address(), 1234), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("cannot identify"), e.getMessage());
        LaunchException other = assertThrows(LaunchException.class, () -> l.retire(Target.of("x", "1.0", "h", 1)
                .withAttribute(SshProcessLauncher.HOST_ATTRIBUTE, "deploy@elsewhere:22"), Duration.ofSeconds(1)));
        assertTrue(other.getMessage().contains("runs on deploy@elsewhere:22"), other.getMessage());
    }

    @Test
    void anEarlyExitFailsTheLaunchAndLeavesNoMarker() {
        SshProcessLauncher l = launcher().command("busybox", "httpd", "-f", "-p", "{host}:{port}", "-h", "/nonexistent/{version}",
                "--no-such-option").build();
        LaunchException e = assertThrows(LaunchException.class,
                () -> l.launch(new LaunchRequest("bad", "x1", "1.0", Map.of())));
        assertTrue(e.getMessage().contains("exited within the startup check"), e.getMessage());
        assertTrue(l.inventory("bad").isEmpty());
    }

    @Test
    void aProcessIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        RemotePath script = RemotePath.of(app.workDir() + "/ignore-term.sh");
        new SshFiles(pool, app.sshHost(), Duration.ofSeconds(5)).write(script, "trap '' TERM\nexec sleep 60\n");
        SshProcessLauncher l = launcher().command("sh", script.value(), "{port}").build();
        Target t = l.launch(new LaunchRequest("stubborn", "s1", "1.0", Map.of()));
        long pid = Long.parseLong(t.attribute(SshProcessLauncher.PID_ATTRIBUTE));
        assertTrue(running(pid));
        long t0 = System.nanoTime();
        l.retire(t, Duration.ofMillis(300));
        assertTrue(System.nanoTime() - t0 >= 300_000_000L, "waited the grace before SIGKILL");
        assertFalse(running(pid));
        assertTrue(l.inventory("stubborn").isEmpty());
    }

    /** Alive and not a zombie (an orphan's zombie may linger where PID 1 does not reap). */
    static boolean running(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    static String awaitGet(Target t) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return Http.get(t.endpoint(), "/");
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
