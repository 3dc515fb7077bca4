package dev.zdd.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** {@link TestNginx} against a real nginx: a port taken between picking it and nginx binding it is picked again. */
class TestNginxIT {
    private NginxFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void portsTakenBeforeNginxBindsThemArePickedAgain() throws Exception {
        fixture = new NginxFixture();
        TestBackend blue = fixture.backend("blue");
        TestNginx nginx = fixture.prepare("app");
        int proxyPort = nginx.port();
        int statusPort = nginx.statusEndpoint().port();
        // another process grabs both ports after TestNginx picked them
        ServerSocket proxyThief = fixture.add(new ServerSocket());
        proxyThief.bind(new InetSocketAddress("127.0.0.1", proxyPort));
        ServerSocket statusThief = fixture.add(new ServerSocket());
        statusThief.bind(new InetSocketAddress("127.0.0.1", statusPort));

        Routing routing = Routing.of(Route.active(blue.target("blue"), 10000));
        NginxRouter router = nginx.start(routing);
        assertNotEquals(proxyPort, nginx.port());
        assertNotEquals(statusPort, nginx.statusEndpoint().port());
        assertEquals(nginx.statusEndpoint(), router.status(), "the router was rebuilt for the new status port");
        assertEquals(routing, router.current());
        assertEquals(Map.of("blue", 5), Http.count(nginx.port(), 5, Map.of()));
    }
}
