package dev.zdd.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.router.CompositeRouter;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Two real nginx in front of the same backends, switched all or nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxPairIT {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestBackend blue;
    private TestBackend green;
    private TestNginx first;
    private TestNginx second;
    private NginxRouter router1;
    private NginxRouter router2;
    private Routing toBlue;
    private Routing toGreen;

    @BeforeAll
    void start() throws Exception {
        Optional<Path> binary = IntegrationEnvironment.find("nginx", "apt-get install nginx");
        assumeTrue(binary.isPresent(), "nginx is not installed");
        try {
            blue = add(TestBackend.start("blue"));
            green = add(TestBackend.start("green"));
            toBlue = Routing.of(Route.active(blue.target("blue"), 10000), Route.disabled(green.target("green")));
            toGreen = Routing.of(Route.active(green.target("green"), 10000), Route.disabled(blue.target("blue")));
            first = add(TestNginx.create(binary.get(), "app"));
            second = add(TestNginx.create(binary.get(), "app"));
            router1 = first.routerBuilder().build();
            router2 = second.routerBuilder().build();
            router1.writeInitial(toBlue);
            router2.writeInitial(toBlue);
            first.start();
            second.start();
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    private <T extends AutoCloseable> T add(T c) {
        closeables.add(c);
        return c;
    }

    @AfterAll
    void stop() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + closeables.get(i) + ": " + e);
            }
        }
        closeables.clear();
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
            assertTrue(e.getMessage().contains("step 'validate' failed"), e.getMessage());
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
