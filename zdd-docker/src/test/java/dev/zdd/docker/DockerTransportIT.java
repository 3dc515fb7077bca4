package dev.zdd.docker;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link DockerTransport} SPI against a real dockerd: a user's own transport carries every call. */
class DockerTransportIT {

    /** Wraps the built-in transport and counts the connections it opens, as a user's transport would. */
    static final class CountingTransport implements DockerTransport {
        final DockerTransport inner;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicReference<Duration> lastTimeout = new AtomicReference<>();

        CountingTransport(DockerTransport inner) {
            this.inner = inner;
        }

        @Override
        public Socket connect(Duration connectTimeout) throws IOException {
            connections.incrementAndGet();
            lastTimeout.set(connectTimeout);
            return inner.connect(connectTimeout);
        }

        @Override
        public String address() {
            return "counting+" + inner.address();
        }
    }

    @Test
    void aCustomTransportCarriesEveryCallAndConnectionsArePooled() {
        CountingTransport t = new CountingTransport(DockerTransport.forHost(Docker.host()));
        try (DockerClient c = DockerClient.builder().transport(t).connectTimeout(Duration.ofSeconds(3)).build()) {
            assertEquals("counting+" + Docker.host(), c.host());
            c.ping();
            assertFalse(c.version().version().isEmpty());
            c.listContainers(java.util.Map.of("dev.zdd.test-transport", "none"), true);
            assertTrue(c.inspectImage("zdd-no-such-image:nope").isEmpty());
            assertTrue(t.connections.get() >= 1, "the transport was used");
            assertTrue(t.connections.get() <= 2, "sequential calls reuse a pooled connection, opened "
                    + t.connections.get());
            assertEquals(Duration.ofSeconds(3), t.lastTimeout.get(), "the connect timeout reaches the transport");
            assertTrue(c.toString().contains("counting+"), c.toString());
        }
    }

    @Test
    void withoutPoolingEveryCallOpensANewConnection() {
        CountingTransport t = new CountingTransport(DockerTransport.forHost(Docker.host()));
        try (DockerClient c = DockerClient.builder().transport(t).maxIdleConnections(0).build()) {
            for (int i = 0; i < 3; i++) {
                c.ping();
            }
            assertEquals(3, t.connections.get());
        }
    }

    @Test
    void readTimeoutIsHonouredThroughATransport() throws Exception {
        // a stop of a missing container answers at once; a read on an idle pooled connection for 11 s (OkHttp's health
        // check of idle connections reads with a 1 ms timeout) must not hang when the socket honours setSoTimeout
        CountingTransport t = new CountingTransport(DockerTransport.forHost(Docker.host()));
        try (DockerClient c = DockerClient.builder().transport(t).readTimeout(Duration.ofSeconds(5)).build()) {
            c.ping();
            assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
                Thread.sleep(10_500);
                c.ping();
            });
            assertEquals(1, t.connections.get(), "the idle connection was checked healthy and reused");
        }
    }

    @Test
    void aFailingTransportIsNamedInTheError() {
        DockerTransport broken = new DockerTransport() {
            @Override
            public Socket connect(Duration connectTimeout) throws IOException {
                throw new IOException("ssh: host key of 10.0.0.5 changed");
            }

            @Override
            public String address() {
                return "ssh://deploy@10.0.0.5";
            }
        };
        try (DockerClient c = DockerClient.builder().transport(broken).build()) {
            DockerException e = assertThrows(DockerException.class, c::ping);
            assertTrue(e.isUnreachable());
            assertTrue(e.getMessage().contains("cannot reach the Docker daemon at ssh://deploy@10.0.0.5"), e.getMessage());
            assertTrue(e.getMessage().contains("host key of 10.0.0.5 changed"), e.getMessage());
            assertFalse(e.getMessage().contains("127.0.0.1:80"), e.getMessage());
        }
    }

    @Test
    void hostAndTransportAreExclusive() {
        DockerTransport t = DockerTransport.forHost("unix:///tmp/x.sock");
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                () -> DockerClient.builder().host("unix:///tmp/y.sock").transport(t));
        assertTrue(a.getMessage().contains("docker.transport") && a.getMessage().contains("docker.host"), a.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> DockerClient.builder().transport(t).host("unix:///tmp/y.sock"));
        assertTrue(b.getMessage().contains("unix:///tmp/y.sock") && b.getMessage().contains("choose one"), b.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DockerClient.builder().transport(null));
        assertThrows(IllegalArgumentException.class, () -> DockerTransport.forHost("ssh://deploy@host"));
        assertEquals("tcp://127.0.0.1:2375", DockerTransport.forHost("tcp://127.0.0.1:2375").address());
    }
}
