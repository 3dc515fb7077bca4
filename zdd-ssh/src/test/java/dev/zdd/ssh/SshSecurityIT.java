package dev.zdd.ssh;

import dev.zdd.ssh.testing.TestSshHost;
import dev.zdd.ssh.testing.TestSshLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Host keys are verified and never accepted by themselves; a key the host does not authorize is refused. */
class SshSecurityIT {
    private static TestSshLab lab;

    @BeforeAll
    static void start() throws Exception {
        Optional<TestSshLab> l = TestSshLab.create(2, 3);
        assumeTrue(l.isPresent(), "sshd is not installed (apt-get install openssh-server)");
        lab = l.get();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static String fingerprint(TestSshHost h) throws Exception {
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", h.hostKey() + ".pub").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        p.waitFor();
        return out.split(" ")[1]; // SHA256:...
    }

    @Test
    void anUnknownHostIsRefusedNamingTheHostAndTheFingerprint() throws Exception {
        TestSshHost one = lab.host(0);
        TestSshHost two = lab.host(1);
        Path known = lab.dir().resolve("known_hosts_only_one");
        Files.writeString(known, one.knownHostsLine() + "\n");
        Path before = Files.writeString(lab.dir().resolve("copy"), Files.readString(known));
        try (SshClientPool pool = SshClientPool.open(lab.config().knownHosts(known).build())) {
            pool.connect(one.sshHost());
            HostKeyException e = assertThrows(HostKeyException.class, () -> pool.connect(two.sshHost()));
            assertTrue(e.getMessage().contains(two.address()), e.getMessage());
            assertTrue(e.getMessage().contains("is not in known_hosts " + known), e.getMessage());
            assertTrue(e.getMessage().contains(fingerprint(two)), e.getMessage());
            assertFalse(pool.connected(two.sshHost()));
        }
        assertEquals(Files.readString(before), Files.readString(known), "known_hosts is never written");
    }

    @Test
    void aChangedHostKeyIsRefusedWithBothFingerprints() throws Exception {
        TestSshHost one = lab.host(0);
        TestSshHost two = lab.host(1);
        // known_hosts says host two has host one's key: as if host two's key had changed (or someone is in between)
        String[] oneLine = one.knownHostsLine().split(" ");
        Path known = lab.dir().resolve("known_hosts_changed");
        Files.writeString(known, "[" + two.address() + "]:" + two.port() + " " + oneLine[1] + " " + oneLine[2] + "\n");
        try (SshClientPool pool = SshClientPool.open(lab.config().knownHosts(known).build())) {
            HostKeyException e = assertThrows(HostKeyException.class, () -> pool.connect(two.sshHost()));
            assertTrue(e.getMessage().contains("HOST KEY CHANGED"), e.getMessage());
            assertTrue(e.getMessage().contains(fingerprint(one)), "expected key: " + e.getMessage());
            assertTrue(e.getMessage().contains(fingerprint(two)), "offered key: " + e.getMessage());
            assertTrue(e.getMessage().contains(two.address()), e.getMessage());
        }
    }

    @Test
    void aKeyTheHostDoesNotAuthorizeIsRefused() throws Exception {
        Path other = lab.dir().resolve("other_key");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", other.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor());
        try (SshClientPool pool = SshClientPool.open(dev.zdd.ssh.SshConfig.builder().identity(other)
                .knownHosts(lab.knownHosts()).reconnects(0).build())) {
            SshException e = assertThrows(SshException.class, () -> pool.connect(lab.host(0).sshHost()));
            assertFalse(e instanceof HostKeyException);
            assertTrue(e.getMessage().contains("authentication refused for user '" + lab.host(0).user() + "'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("ssh-rsa SHA256:"), "names the key offered: " + e.getMessage());
            assertFalse(e.getMessage().contains("PRIVATE KEY"), "no key material in messages");
        }
    }

    @Test
    void anRsaKeyThatIsAuthorizedWorks() throws Exception {
        Path rsa = lab.dir().resolve("rsa_key");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsa.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor());
        TestSshHost h = lab.host(1);
        try (SshClientPool pool = lab.pool()) {
            SshFiles files = new SshFiles(pool, h.sshHost(), java.time.Duration.ofSeconds(5));
            RemotePath keys = RemotePath.of(h.hostKey().getParent() + "/authorized_keys");
            String before = Files.readString(Path.of(keys.value()));
            Files.writeString(Path.of(keys.value()), before + Files.readString(Path.of(rsa + ".pub")));
            try (SshClientPool rsaPool = SshClientPool.open(SshConfig.builder().identity(rsa)
                    .knownHosts(lab.knownHosts()).build())) {
                assertEquals(h.user(), rsaPool.exec(h.sshHost(), RemoteCommand.of("id", "-un")).stdout().strip());
            } finally {
                Files.writeString(Path.of(keys.value()), before);
            }
            assertTrue(files.host().equals(h.sshHost()));
        }
    }

    @Test
    void injectionAttemptsAreRefusedBeforeAnyConnection() {
        for (String host : List.of("host;rm -rf /", "a b", "$(reboot)", "-oProxyCommand=x", "evil.com/x", "", "h\nx")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SshHost.of("deploy", host, 22),
                    host);
            assertTrue(e.getMessage().startsWith("ssh.host '"), e.getMessage());
        }
        for (String user : List.of("root;id", "Deploy", "-l", "a b", "x$(id)")) {
            assertThrows(IllegalArgumentException.class, () -> SshHost.of(user, "127.0.0.1", 22), user);
        }
        assertThrows(IllegalArgumentException.class, () -> SshHost.of("deploy", "127.0.0.1", 70000));
        for (String path : List.of("relative/x", "/etc/../shadow", "/tmp/a b", "/tmp/$(id)", "/tmp/`id`", "/tmp/x;rm",
                "/tmp//x", "/tmp/x/", "/tmp/./x", "/tmp/'q'", "/tmp/x\ny")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RemotePath.of(path), path);
            assertTrue(e.getMessage().startsWith("remote path '"), e.getMessage());
        }
        for (String arg : List.of("a.jar; rm -rf /", "$(id)", "`id`", "x|y", "x&", "a'b", "a\"b", "x>y", "*", "~/x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RemoteCommand.of("java", "-jar", arg), arg);
            assertTrue(e.getMessage().startsWith("command[2] '"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> RemoteCommand.of("-oops"));
        assertThrows(IllegalArgumentException.class, () -> RemoteCommand.of("rm -rf"));
        // upstream names reach nginx configs: zdd-nginx refuses them
        for (String name : List.of("app;", "app}", "a b", "app\n")) {
            assertThrows(IllegalArgumentException.class, () -> dev.zdd.nginx.NginxRouter.builder().name(name), name);
        }
        // launcher command parts and placeholders
        try (SshClientPool pool = lab.pool()) {
            SshHost h = lab.host(0).sshHost();
            assertThrows(IllegalArgumentException.class, () -> SshProcessLauncher.builder(pool, h)
                    .command("java", "-jar", "app.jar", "--x=$(id)"));
            assertThrows(IllegalArgumentException.class, () -> SshProcessLauncher.builder(pool, h).bindAddress("1.2.3.4;x"));
            assertThrows(IllegalArgumentException.class, () -> SshNginxControl.builder(pool, h).prefix(RemotePath.of("/x/..")));
            assertFalse(pool.connected(h), "nothing above connected");
        }
        // quoting is the second line: a single quote inside a word cannot close the quoting
        assertEquals("'a'\\''b'", dev.zdd.ssh.internal.Shell.quote("a'b"));
    }
}
