package dev.zdd.docker.internal;

import dev.zdd.docker.DockerTransport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The socket OkHttp gets: connects through a transport, keeps the read timeout, names the address on failure. */
class TransportSocketTest {

    @Test
    void aReadTimeoutSetBeforeConnectingReachesTheTransportsSocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            DockerTransport t = DockerTransport.forHost("tcp://127.0.0.1:" + server.getLocalPort());
            try (TransportSocket s = new TransportSocket(t)) {
                s.setSoTimeout(200);
                s.connect(new InetSocketAddress("127.0.0.1", 80), 2000);
                try (Socket accepted = server.accept()) {
                    assertTrue(s.isConnected());
                    long start = System.nanoTime();
                    assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
                    assertTrue(System.nanoTime() - start >= 150_000_000L, "waited the read timeout");
                    accepted.getOutputStream().write(42);
                    accepted.getOutputStream().flush();
                    assertEquals(42, s.getInputStream().read());
                }
            }
        }
    }

    @Test
    void failuresNameTheTransportsAddress() {
        DockerTransport broken = new DockerTransport() {
            @Override
            public Socket connect(Duration connectTimeout) {
                throw new IllegalStateException("agent has no key");
            }

            @Override
            public String address() {
                return "ssh://deploy@10.0.0.5";
            }
        };
        TransportConnectException e = assertThrows(TransportConnectException.class,
                () -> new TransportSocket(broken).connect(null, 1000));
        assertEquals("ssh://deploy@10.0.0.5", e.address());
        assertTrue(e.getMessage().contains("ssh://deploy@10.0.0.5") && e.getMessage().contains("agent has no key"),
                e.getMessage());

        DockerTransport none = new DockerTransport() {
            @Override
            public Socket connect(Duration connectTimeout) {
                return null;
            }

            @Override
            public String address() {
                return "test://none";
            }
        };
        assertTrue(assertThrows(TransportConnectException.class, () -> new TransportSocket(none).connect(null, 1000))
                .getMessage().contains("returned no connection"));
    }

    @Test
    void aClosedSocketDoesNotConnectAndCloseIsIdempotent() throws IOException {
        int[] calls = {0};
        DockerTransport counting = new DockerTransport() {
            @Override
            public Socket connect(Duration connectTimeout) throws IOException {
                calls[0]++;
                throw new IOException("not expected");
            }

            @Override
            public String address() {
                return "test://counting";
            }
        };
        TransportSocket s = new TransportSocket(counting);
        s.close();
        s.close();
        assertTrue(s.isClosed());
        assertFalse(s.isConnected());
        assertThrows(SocketException.class, () -> s.connect(null, 1000));
        assertEquals(0, calls[0]);
        assertThrows(SocketException.class, s::getInputStream);
    }
}
