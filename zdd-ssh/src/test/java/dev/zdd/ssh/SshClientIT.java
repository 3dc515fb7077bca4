package dev.zdd.ssh;

import dev.zdd.ssh.testing.TestSshHost;
import dev.zdd.ssh.testing.TestSshLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The SSH layer against real OpenSSH servers on their own loopback addresses. */
class SshClientIT {
    private static TestSshLab lab;
    private static SshClientPool pool;

    @BeforeAll
    static void start() throws Exception {
        Optional<TestSshLab> l = TestSshLab.create(2);
        assumeTrue(l.isPresent(), "sshd is not installed (apt-get install openssh-server)");
        lab = l.get();
        pool = lab.pool();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void runsCommandsAsTheHostsOwnUserAndReusesTheConnection() {
        for (TestSshHost h : lab.hosts()) {
            ExecResult r = pool.exec(h.sshHost(), RemoteCommand.of("id", "-un"));
            assertEquals(0, r.exitCode(), r.output());
            assertEquals(h.user(), r.stdout().strip());
            assertTrue(pool.connected(h.sshHost()));
        }
        ExecResult fail = pool.exec(lab.host(0).sshHost(), RemoteCommand.of("sh", "-c", "exit_7_is_not_a_command"));
        assertTrue(fail.exitCode() != 0);
    }

    @Test
    void writesAtomicallyWithAChecksumAndReadsBack() throws Exception {
        TestSshHost h = lab.host(0);
        SshFiles files = new SshFiles(pool, h.sshHost(), Duration.ofSeconds(10));
        RemotePath p = RemotePath.of(h.workDir() + "/sub/dir/file.conf");
        assertNull(files.read(p));
        String text = "it's a \"quoted\" $HOME `x` ; rm -rf / \n\u00e9\n";
        files.write(p, text);
        assertEquals(text, files.read(p));
        files.write(p, "second\n");
        assertEquals("second\n", files.read(p));
        ExecResult ls = pool.exec(h.sshHost(), RemoteCommand.of("ls", "-a", p.parent().value()));
        assertEquals(".\n..\nfile.conf", ls.stdout().strip(), "no temp file left behind");
        files.delete(p);
        assertNull(files.read(p));
    }

    @Test
    void forwardsTcpThroughTheHostAndHonoursTheReadTimeout() throws Exception {
        TestSshHost h = lab.host(1);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(h.address(), 0));
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] b = in.readNBytes(5);
                    s.getOutputStream().write(b);
                    s.getOutputStream().flush();
                    in.read(); // hold the connection until the client closes it
                } catch (Exception ignored) {
                    // test ends
                }
            });
            echo.setDaemon(true);
            echo.start();
            try (Socket s = pool.connectVia(h.sshHost(), h.address(), server.getLocalPort(), Duration.ofSeconds(5))) {
                OutputStream out = s.getOutputStream();
                out.write("hello".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals("hello", new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
                s.setSoTimeout(300);
                long t0 = System.nanoTime();
                assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
                assertTrue(System.nanoTime() - t0 >= 250_000_000L, "waited the read timeout");
            }
        }
    }

    @Test
    void aForwardedConnectionClosedByTheServerReadsAsEndOfStream() throws Exception {
        // regression: MINA SSHD left the piped input open after the server's EOF, so readAllBytes hung to the timeout
        TestSshHost h = lab.host(0);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(h.address(), 0));
            Thread bye = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // test ends
                }
            });
            bye.setDaemon(true);
            bye.start();
            try (Socket s = pool.connectVia(h.sshHost(), h.address(), server.getLocalPort(), Duration.ofSeconds(5))) {
                s.setSoTimeout(5000);
                assertEquals("bye", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void commandTimeoutIsEnforced() {
        pool.connect(lab.host(0).sshHost()); // the bound below is for the command, not for a first connect
        SshException e = assertThrows(SshException.class,
                () -> pool.exec(lab.host(0).sshHost(), RemoteCommand.of("sleep", "10"), Duration.ofMillis(1500)));
        // regression: on a loaded machine the channel open itself ran out of time, with MINA's own message
        assertTrue(e.getMessage().contains("command timed out after 1500 ms"), e.getMessage());
        assertEquals(0, pool.exec(lab.host(0).sshHost(), RemoteCommand.of("true")).exitCode(), "still usable");
    }

    @Test
    void reconnectsAfterTheConnectionDropped() throws Exception {
        TestSshHost h = lab.host(1);
        SshHost host = h.sshHost();
        assertEquals(0, pool.exec(host, RemoteCommand.of("true")).exitCode());
        assertTrue(h.killSessions() > 0);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pool.connected(host) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        ExecResult r = pool.exec(host, RemoteCommand.of("echo", "back"));
        assertEquals("back", r.stdout().strip());
    }
}
