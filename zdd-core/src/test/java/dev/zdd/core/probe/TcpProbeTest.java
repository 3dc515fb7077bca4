package dev.zdd.core.probe;

import dev.zdd.api.HealthResult;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TcpProbe} against real sockets on 127.0.0.1. */
class TcpProbeTest {
    @Test
    void healthyWhenListeningRefusedOtherwise() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
            assertTrue(TcpProbe.create().check(Target.of("a", "1", "127.0.0.1", port), Duration.ofSeconds(2)).isHealthy());
        }
        HealthResult r = TcpProbe.create().check(Target.of("a", "1", "127.0.0.1", port), Duration.ofSeconds(2));
        assertEquals(HealthResult.unhealthy("connect 127.0.0.1:" + port + ": connection refused"), r);
    }

    @Test
    void portOverride() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            TcpProbe p = TcpProbe.builder().port(s.getLocalPort()).build();
            assertTrue(p.check(Target.of("a", "1", "127.0.0.1", 1), Duration.ofSeconds(2)).isHealthy());
            assertEquals("TcpProbe[port " + s.getLocalPort() + "]", p.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> TcpProbe.builder().port(70000));
    }
}
