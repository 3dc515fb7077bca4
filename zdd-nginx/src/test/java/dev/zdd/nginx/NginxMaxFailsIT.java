package dev.zdd.nginx;

import dev.zdd.api.BalancerHealth;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, checked for nginx: a server that nginx's passive health check ({@code max_fails}, default 1 within
 * {@code fail_timeout} 10 s) takes out is nginx's business. zdd reads its own file, so the server stays ACTIVE in
 * zdd's tables, a restore never writes {@code down} for it, and nginx takes it back by itself when it answers again.
 */
class NginxMaxFailsIT {
    private NginxFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aServerFailedByMaxFailsStaysServingAndARestoreNeverMarksItDown() throws Exception {
        fixture = new NginxFixture();
        TestBackend blue1 = fixture.backend("blue");
        TestBackend blue2 = TestBackend.start("blue");
        TestBackend green = fixture.backend("green");
        Target b1 = blue1.target("blue-1");
        Target b2 = blue2.target("blue-2");
        Target g = green.target("green-1");
        Routing allBlue = Routing.of(Route.active(b1, 5000), Route.active(b2, 5000));
        NginxFixture.Running running = fixture.start("app", allBlue);
        TestNginx nginx = running.nginx();
        NginxRouter router = running.router();

        int port = blue2.port();
        blue2.close();
        // nginx tries blue-2, is refused, passes the request on (proxy_next_upstream error) and marks blue-2 failed
        assertEquals(Map.of("blue", 20), Http.count(nginx.port(), 20, Map.of()));

        Routing snapshot = router.current();
        assertEquals(allBlue, snapshot, "zdd's table keeps the operator's intent");
        assertEquals(BalancerHealth.UNCHECKED, snapshot.route("blue-2").orElseThrow().health(),
                "open-source nginx does not expose its passive health view");
        router.apply(Routing.of(Route.active(g, 10_000), Route.disabled(b1), Route.disabled(b2)));
        router.apply(snapshot);
        String include = Files.readString(nginx.includeFile(), StandardCharsets.UTF_8);
        String line = include.lines().filter(l -> l.contains("server " + b2.endpoint().authority())).findFirst().orElseThrow();
        assertFalse(line.contains("down"), "a restore must not mark a server failed by max_fails down: " + line);
        assertEquals(allBlue, router.current());

        TestBackend back = fixture.add(TestBackend.start("blue", port));
        // after fail_timeout nginx tries it again by itself
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Http.count(nginx.port(), 4, Map.of());
            return back.requests() > 0;
        });
        assertTrue(back.requests() > 0);
    }
}
