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
                for (String service : List.of("shop", "stubborn", "bad", "gap", "gapb", "gapc", "gapd")) {
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

    @Test
    void aLaunchShellKilledBetweenStartAndMarkerLeavesAnInstanceANewLauncherFindsAndRetires() throws Exception {
        SshProcessLauncher dying = launcher().stopAt(SshProcessLauncher.Stage.STARTED).build();
        assertThrows(LaunchException.class, () -> dying.launch(new LaunchRequest("gap", "g1", "1.0", Map.of("colour", "green"))));
        List<String> left = files("gap", "g1");
        assertTrue(left.contains("g1.pending") && !left.contains("g1.target"), "killed in the gap: pending, no marker: " + left);

        SshProcessLauncher next = launcher().build(); // another deployer process
        List<Target> found = next.discover("gap");
        assertEquals(1, found.size(), found.toString());
        Target g1 = found.get(0);
        assertEquals("g1", g1.id());
        assertEquals("1.0", g1.version());
        assertEquals("green", g1.attribute("colour"));
        assertEquals("1.0", awaitGet(g1), "the instance serves on the port recorded before the start");
        long pid = Long.parseLong(g1.attribute(SshProcessLauncher.PID_ATTRIBUTE));
        assertTrue(running(pid));
        assertEquals(List.of("g1.log", "g1.target"), files("gap", "g1"), "settled into a marker");
        String environ = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + pid + "/environ")),
                java.nio.charset.StandardCharsets.UTF_8);
        String marker = new SshFiles(pool, app.sshHost(), Duration.ofSeconds(5))
                .read(RemotePath.of(app.workDir() + "/zdd/gap/g1.target"));
        String token = marker.lines().filter(x -> x.startsWith("token=")).findFirst().orElseThrow().substring(6);
        assertTrue(environ.contains("\0" + LaunchScripts.TOKEN_VARIABLE + "=" + token + "\0")
                || environ.startsWith(LaunchScripts.TOKEN_VARIABLE + "=" + token + "\0"), "the process carries its launch token");
        assertTrue(next.recordsBeforeStarting());

        // retired by id alone (a launch in doubt never answered, so the engine knows no more than that)
        launcher().build().retire(new Target("g1", "1.0", g1.endpoint(), Map.of()), Duration.ofSeconds(5));
        assertFalse(running(pid));
        assertTrue(next.discover("gap").isEmpty());
        assertEquals(List.of("g1.log"), files("gap", "g1"));
    }

    @Test
    void withoutItsPidFileTheInstanceIsFoundByItsTokenNotByItsForkedChildren() throws Exception {
        // sh as the program: it forks children (sleep) that inherit the token but do not lead the group; retire must
        // signal the whole group (regression: dash refused "kill -TERM -- -PGID", so only the leader was signalled)
        RemotePath script = RemotePath.of(app.workDir() + "/forks.sh");
        new SshFiles(pool, app.sshHost(), Duration.ofSeconds(5)).write(script, "sleep 60 &\nsleep 61 &\nwait\n");
        SshProcessLauncher dying = launcher().command("sh", script.value(), "{port}")
                .stopAt(SshProcessLauncher.Stage.STARTED).build();
        assertThrows(LaunchException.class, () -> dying.launch(new LaunchRequest("gapd", "f1", "1.0", Map.of())));
        Thread.sleep(300); // let the children start
        // as if the launch shell had died before the child wrote its pid file
        pool.run(app.sshHost(), "rm -f " + dev.zdd.ssh.internal.Shell.quote(app.workDir() + "/zdd/gapd/f1.pid"), null,
                Duration.ofSeconds(5));
        List<Target> found = launcher().build().discover("gapd");
        assertEquals(1, found.size(), found.toString());
        long pid = Long.parseLong(found.get(0).attribute(SshProcessLauncher.PID_ATTRIBUTE));
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        assertEquals(String.valueOf(pid), stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2], "the group leader");
        List<Long> children = ProcessHandle.of(pid).orElseThrow().children().map(ProcessHandle::pid).toList();
        assertEquals(2, children.size(), "the program's own children: " + children);
        launcher().build().retire(new Target("f1", "1.0", found.get(0).endpoint(), Map.of()), Duration.ofSeconds(5));
        assertFalse(running(pid));
        for (long c : children) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (running(c) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(running(c), "the group got the signal");
        }
        assertEquals(List.of(), files("gapd", "f1").stream().filter(f -> !f.endsWith(".log")).toList());
    }

    @Test
    void aLaunchShellKilledBeforeTheStartLeavesNothingAndTheIdLaunchesAgain() throws Exception {
        SshProcessLauncher dying = launcher().stopAt(SshProcessLauncher.Stage.PENDING_WRITTEN).build();
        assertThrows(LaunchException.class, () -> dying.launch(new LaunchRequest("gapb", "g2", "1.0", Map.of())));
        assertEquals(List.of("g2.pending"), files("gapb", "g2"));
        SshProcessLauncher next = launcher().build();
        // the launch settles the stale pending marker itself (discover does too: see the next test)
        Target again = next.launch(new LaunchRequest("gapb", "g2", "2.0", Map.of()));
        assertEquals("2.0", awaitGet(again));
        assertEquals(List.of("g2.log", "g2.target"), files("gapb", "g2"), "the stale pending marker is gone");
        assertEquals(List.of("g2"), next.discover("gapb").stream().map(Target::id).toList());
        next.retire(again, Duration.ofSeconds(5));
        assertEquals(List.of("g2.log"), files("gapb", "g2"));
    }

    @Test
    void aPidFileNamingAProcessWithoutTheTokenIsNotTakenForTheInstance() throws Exception {
        SshProcessLauncher l = launcher().build();
        Target other = l.launch(new LaunchRequest("gapc", "o1", "1.0", Map.of()));
        String otherPid = other.attribute(SshProcessLauncher.PID_ATTRIBUTE);
        // a launcher died in the gap long ago; its pid now names another process of the same user (a reused pid)
        SshFiles sshFiles = new SshFiles(pool, app.sshHost(), Duration.ofSeconds(5));
        RemotePath dir = RemotePath.of(app.workDir() + "/zdd/gapc");
        sshFiles.write(dir.resolve("r1.pending"), "id=r1\nservice=gapc\nversion=1.0\nhost=" + app.address()
                + "\ntoken=0f7e3a52-0000-4000-8000-000000000001\nport=1\nowner=99999999\nownerstart=1\n");
        sshFiles.write(dir.resolve("r1.pid"), otherPid + "\n");
        assertEquals(List.of("o1"), l.discover("gapc").stream().map(Target::id).toList());
        assertEquals(List.of(), files("gapc", "r1"), "the pending launch without a process is removed");
        assertTrue(running(Long.parseLong(otherPid)), "the process the stale pid file names is left alone");
        l.retire(other, Duration.ofSeconds(5));
    }

    @Test
    void attributeKeysThatCouldBreakTheRecordAreRefused() {
        SshProcessLauncher l = launcher().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> l.launch(new LaunchRequest("gap", "k1", "1.0", Map.of("col'our\nx", "blue"))));
        assertTrue(e.getMessage().contains("launch.attributes key"), e.getMessage());
    }

    /** The names of the files of target {@code id} in the service's state directory and the log directory, sorted. */
    private static List<String> files(String service, String id) {
        String script = "cd " + dev.zdd.ssh.internal.Shell.quote(app.workDir() + "/zdd") + " && for f in "
                + dev.zdd.ssh.internal.Shell.quote(service) + "/" + dev.zdd.ssh.internal.Shell.quote(id) + ".* logs/"
                + dev.zdd.ssh.internal.Shell.quote(id) + ".*; do [ -e \"$f\" ] && echo \"${f##*/}\"; done; true";
        ExecResult r = pool.run(app.sshHost(), script, null, Duration.ofSeconds(10));
        return r.stdout().lines().filter(x -> !x.isBlank()).sorted().toList();
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
