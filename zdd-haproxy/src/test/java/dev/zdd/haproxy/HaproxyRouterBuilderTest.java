package dev.zdd.haproxy;

import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Builder validation of {@link HaproxyRouter}; no HAProxy needed. */
class HaproxyRouterBuilderTest {
    private final HaproxyRouter.Builder builder = HaproxyRouter.builder(
            RuntimeApiClient.unixSocket(Path.of("/nonexistent/haproxy.sock")).build(), "app");

    @Test
    void nullRoutingMapsIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.routingMaps(null));
        assertEquals("routingMaps must not be null (leave it unset for a backend without stickiness and rules)",
                e.getMessage());
    }

    @Test
    void badSettingsNameTheFieldAndValue() {
        assertEquals("confirmTimeout must be positive, was PT0S",
                assertThrows(IllegalArgumentException.class, () -> builder.confirmTimeout(Duration.ZERO)).getMessage());
        assertEquals("deleteTimeout must not be negative, was PT-1S",
                assertThrows(IllegalArgumentException.class, () -> builder.deleteTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("target of server 'blue' must not be null",
                assertThrows(IllegalArgumentException.class, () -> builder.server("blue", null)).getMessage());
        builder.server("blue", Target.of("blue", "v1", "127.0.0.1", 8080));
        assertEquals("target id 'blue' is mapped to servers 'blue' and 'b2'", assertThrows(IllegalArgumentException.class,
                () -> builder.server("b2", Target.of("blue", "v1", "127.0.0.1", 8081))).getMessage());
    }
}
