package dev.zdd.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.router.CompositeRouter;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two real nginx in front of the same backends, switched all or nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxPairIT {
    private NginxFixture fixture;
    private TestNginx first;
    private TestNginx second;
    private NginxRouter router1;
    private NginxRouter router2;
    private Routing toBlue;
    private Routing toGreen;

    @BeforeAll
    void start() throws Exception {
        fixture = new NginxFixture();
        TestBackend blue = fixture.backend("blue");
        TestBackend green = fixture.backend("green");
        toBlue = Routing.of(Route.active(blue.target("blue"), 10000), Route.disabled(green.target("green")));
        toGreen = Routing.of(Route.active(green.target("green"), 10000), Route.disabled(blue.target("blue")));
        NginxFixture.Running one = fixture.start("app", toBlue);
        NginxFixture.Running two = fixture.start("app", toBlue);
        first = one.nginx();
        router1 = one.router();
        second = two.nginx();
        router2 = two.router();
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void bothSwitchTogetherAndWhenOneFailsTheOtherIsRestored() throws Exception {
        TrafficRouter both = CompositeRouter.allOrNothing(router1, router2);
        both.apply(toGreen);
        assertEquals(Map.of("green", 10), Http.count(first.port(), 10, Map.of()));
        assertEquals(Map.of("green", 10), Http.count(second.port(), 10, Map.of()));
        both.apply(toBlue);

        // someone broke the second host's main configuration: nginx there still serves, but nginx -t refuses
        String main2 = Files.readString(second.mainConfig());
        Files.writeString(second.mainConfig(), main2 + "broken_directive on;\n");
        try {
            String file2 = Files.readString(router2.includeFile());
            RouterException e = assertThrows(RouterException.class, () -> both.apply(toGreen));
            // the default (ON_RELOAD) lets the reload find it: refused at the reload or confirm step, nginx's words
        assertTrue(e.getMessage().matches("(?s).*step '(validate|reload|confirm)' failed.*"), e.getMessage());
            assertTrue(e.getMessage().contains("unknown directive \"broken_directive\""), e.getMessage());
            assertEquals(toBlue, router1.current(), "the nginx that had switched is switched back");
            assertEquals(Map.of("blue", 10), Http.count(first.port(), 10, Map.of()));
            assertEquals(file2, Files.readString(router2.includeFile()), "the failed one kept its file");
            assertEquals(Map.of("blue", 10), Http.count(second.port(), 10, Map.of()));
        } finally {
            Files.writeString(second.mainConfig(), main2);
        }
        assertEquals(toBlue, router2.current());
    }
}
