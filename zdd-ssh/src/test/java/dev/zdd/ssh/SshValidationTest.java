package dev.zdd.ssh;

import dev.zdd.ssh.internal.Shell;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builders and validated parts, without any server. */
class SshValidationTest {
    @Test
    void hostsAcceptNamesAndIpLiteralsOnly() {
        assertEquals("deploy@nginx1.example.net:22", SshHost.builder().user("deploy").host("nginx1.example.net").build()
                .toString());
        assertEquals("zddhost1@127.0.0.11:2222", SshHost.of("zddhost1", "127.0.0.11", 2222).toString());
        assertEquals("root@[::1]:22", SshHost.of("root", "::1", 22).toString());
        assertEquals(SshHost.of("a", "h", 1), SshHost.of("a", "h", 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SshHost.of("deploy", "999.1.1.1", 22));
        assertTrue(e.getMessage().contains("'999.1.1.1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SshHost.of("deploy", "-h", 22));
        assertThrows(IllegalArgumentException.class, () -> SshHost.of("deploy", "h", 0));
        assertEquals("ssh.user is required", assertThrows(IllegalArgumentException.class,
                () -> SshHost.builder().host("h").build()).getMessage());
    }

    @Test
    void configRequiresKeyAndKnownHostsAndNamesBadValues() {
        assertEquals("ssh.identity is required (a private key file)", assertThrows(IllegalArgumentException.class,
                () -> SshConfig.builder().knownHosts(Path.of("/k")).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SshConfig.builder().identity(Path.of("/i")).build()).getMessage().startsWith("ssh.knownHosts"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SshConfig.builder().connectTimeout(Duration.ZERO)).getMessage().contains("ssh.connectTimeout"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SshConfig.builder().reconnects(11)).getMessage().contains("ssh.reconnects"));
        SshConfig c = SshConfig.builder().identity(Path.of("/i")).knownHosts(Path.of("/k")).build();
        assertEquals(SshConfig.DEFAULT_COMMAND_TIMEOUT, c.commandTimeout());
        assertEquals(SshConfig.DEFAULT_RECONNECTS, c.reconnects());
    }

    @Test
    void pathsAreCheckedLikeLocalOnes() {
        RemotePath p = RemotePath.of("/etc/nginx/zdd/shop.conf");
        assertEquals("/etc/nginx/zdd", p.parent().value());
        assertEquals("shop.conf", p.name());
        assertEquals("/etc/nginx/zdd/x.conf", p.parent().resolve("x.conf").value());
        assertEquals("/", RemotePath.of("/x").parent().value());
        assertThrows(IllegalArgumentException.class, () -> p.resolve(".."));
        assertThrows(IllegalArgumentException.class, () -> p.resolve("a/b"));
        for (String bad : List.of("", "x", "/a/../b", "/a b", "/a//b", "/$x", "/a;b", "/a\u0000b")) {
            assertThrows(IllegalArgumentException.class, () -> RemotePath.of(bad), bad);
        }
    }

    @Test
    void commandsAreValidatedAndQuoted() {
        RemoteCommand c = RemoteCommand.of("/usr/bin/java", "-jar", "/opt/app-1.0.jar", "--server.port=8081", "");
        assertEquals("'/usr/bin/java' '-jar' '/opt/app-1.0.jar' '--server.port=8081' ''", c.toShellLine());
        assertEquals("'nginx' '-t' </dev/null >>'/var/log/x.log' 2>&1",
                RemoteCommand.of("nginx", "-t").withOutputTo(RemotePath.of("/var/log/x.log")).toShellLine());
        assertThrows(IllegalArgumentException.class, () -> c.with("a b"));
        assertEquals("'it'\\''s'", Shell.quote("it's"));
        assertThrows(IllegalArgumentException.class, () -> Shell.quote("a\nb"));
    }

    @Test
    void launcherAndTransportBuildersRefuseBadParts() {
        // a pool is needed only to hold connections; none is made by building
        assertThrows(IllegalArgumentException.class, () -> SshDockerTransport.builder(null, SshHost.of("a", "h", 22)));
        assertThrows(IllegalArgumentException.class, () -> SshProcessLauncher.builder(null, SshHost.of("a", "h", 22)));
    }
}
