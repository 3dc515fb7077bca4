package dev.zdd.docker.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link UnixSocket} against a real unix socket server in this JVM. */
class UnixSocketTest {
    private Path dir;
    private Path path;
    private ServerSocketChannel server;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "zdd-us-");
        path = dir.resolve("s.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
        Files.deleteIfExists(path);
        Files.deleteIfExists(dir);
    }

    private UnixSocket connect() throws IOException {
        UnixSocket s = new UnixSocket(path);
        s.connect(new InetSocketAddress("127.0.0.1", 80), 1000);
        return s;
    }

    @Test
    void echoesBytesBothWays() throws Exception {
        UnixSocket s = connect();
        SocketChannel peer = server.accept();
        try {
            s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(5);
            while (buf.hasRemaining()) {
                peer.read(buf);
            }
            assertEquals("hello", new String(buf.array(), StandardCharsets.US_ASCII));
            peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            byte[] got = s.getInputStream().readNBytes(3);
            assertArrayEquals(new byte[] {1, 2, 3}, got);
            peer.close();
            assertEquals(-1, s.getInputStream().read(), "EOF after the peer closed");
        } finally {
            s.close();
            peer.close();
        }
    }

    @Test
    void readHonoursSoTimeout() throws Exception {
        try (UnixSocket s = connect(); SocketChannel peer = server.accept()) {
            s.setSoTimeout(1);
            InputStream in = s.getInputStream();
            // what OkHttp does to check a pooled connection idle for more than 10 s: a 1 ms read must time out
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertThrows(SocketTimeoutException.class, in::read);
            });
            s.setSoTimeout(200);
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> in.read(new byte[10]));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(190), "waited about the timeout");
            // the connection is still good after a timeout
            peer.write(ByteBuffer.wrap(new byte[] {42}));
            s.setSoTimeout(5000);
            assertEquals(42, in.read());
        }
    }

    @Test
    void closeFromAnotherThreadUnblocksAReader() throws Exception {
        UnixSocket s = connect();
        SocketChannel peer = server.accept();
        try {
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    s.getInputStream().read();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            Thread.sleep(100);
            s.close();
            Throwable t = reader.get(10, TimeUnit.SECONDS);
            assertTrue(t instanceof SocketException, String.valueOf(t));
            assertTrue(s.isClosed());
            assertThrows(SocketException.class, s::getInputStream);
        } finally {
            peer.close();
        }
    }

    @Test
    void missingSocketIsAConnectException() throws Exception {
        UnixSocket s = new UnixSocket(dir.resolve("nothing.sock"));
        ConnectException e = assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", 80)));
        assertTrue(e.getMessage().contains("nothing.sock"), e.getMessage());
        s.close();
    }
}
