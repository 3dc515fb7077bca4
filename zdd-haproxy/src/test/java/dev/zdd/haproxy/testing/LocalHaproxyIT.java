package dev.zdd.haproxy.testing;

import dev.zdd.core.testing.IntegrationEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** LocalHaproxy against a real HAProxy: a port taken between picking and binding is retried on new ports. */
class LocalHaproxyIT {
    static Path exe;

    @TempDir
    Path dir;

    @BeforeAll
    static void find() {
        Optional<Path> e = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(e.isPresent(), "haproxy is not installed (apt-get install haproxy)");
        exe = e.get();
    }

    @Test
    void aPortTakenMeanwhileIsRetriedOnNewPorts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicInteger calls = new AtomicInteger();
            // the first attempt gets the taken port, later ones free ports
            LocalHaproxy.PortSource ports = () -> calls.getAndIncrement() == 0 ? taken.getLocalPort() : LocalHaproxy.freePort();
            try (LocalHaproxy h = LocalHaproxy.builder(exe, dir).ports(ports).start()) {
                assertTrue(h.alive());
                assertNotEquals(taken.getLocalPort(), h.frontendPort());
                assertEquals(4, calls.get(), "two attempts of two ports each");
                assertTrue(h.client().version().startsWith("2."));
                assertTrue(h.log().contains("cannot bind socket"), h.log());
            }
        }
    }

    @Test
    void givesUpAfterTheBoundedNumberOfAttempts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicInteger calls = new AtomicInteger();
            LocalHaproxy.PortSource ports = () -> {
                calls.incrementAndGet();
                return taken.getLocalPort();
            };
            IOException e = assertThrows(IOException.class, () -> LocalHaproxy.builder(exe, dir).ports(ports).start());
            assertTrue(e.getMessage().startsWith("haproxy could not bind its ports in " + LocalHaproxy.START_ATTEMPTS
                    + " attempts: haproxy exited with 1"), e.getMessage());
            assertEquals(2 * LocalHaproxy.START_ATTEMPTS, calls.get());
        }
    }
}
