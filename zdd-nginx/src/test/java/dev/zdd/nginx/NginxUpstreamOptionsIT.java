package dev.zdd.nginx;

import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.nginx.UpstreamOptions.Balancing;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UpstreamOptions} against a real nginx: every balancing method with every option, in the weighted upstream
 * and the per-version ones (stickiness and a rule), passes {@code nginx -t}, reloads and serves.
 */
class NginxUpstreamOptionsIT {
    private NginxFixture fixture;
    private TestNginx nginx;
    private Target blue;
    private Target green;

    @BeforeEach
    void start() throws Exception {
        fixture = new NginxFixture();
        blue = fixture.backend("blue").target("blue-1");
        green = fixture.backend("green").target("green-1");
        nginx = fixture.start("app", Routing.of(Route.active(blue, 10000))).nginx();
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static UpstreamOptions.Builder all(Balancing b) {
        return UpstreamOptions.builder().balancing(b).zone("64k").keepalive(16).keepaliveRequests(500)
                .keepaliveTimeout(Duration.ofSeconds(30))
                .servers(ServerOptions.builder().maxFails(2).failTimeout(Duration.ofSeconds(3)).maxConns(50).build());
    }

    @Test
    void everyMethodWithEveryOptionPassesNginxTestAndServes() throws Exception {
        Routing sticky = new Routing(List.of(Route.active(blue, 5000), Route.active(green, 5000)),
                Stickiness.on(RequestKey.header("X-User")),
                List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta"), "green")));
        for (Balancing b : List.of(Balancing.ROUND_ROBIN, Balancing.LEAST_CONN, Balancing.IP_HASH, Balancing.RANDOM,
                Balancing.RANDOM_TWO, Balancing.hash("$request_uri", false), Balancing.hash("$http_x_user", true))) {
            NginxRouter router = nginx.routerBuilder().validation(NginxRouter.Validation.ALWAYS)
                    .upstreamOptions(all(b).build()).build();
            router.apply(sticky);
            String text = Files.readString(router.includeFile());
            assertTrue(text.contains("upstream zdd_app_v1 {"), text);
            assertTrue(text.contains("keepalive 16;"), text);
            NginxControl.Result test = nginx.control().test();
            assertTrue(test.ok(), b + ": " + test.output());
            assertEquals(sticky, router.current());
            assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of("X-Group", "beta")), b.toString());
            Map<String, Integer> seen = Http.count(nginx.port(), 20, Map.of());
            assertEquals(20, seen.values().stream().mapToInt(Integer::intValue).sum(), b + " " + seen);
        }
    }

    @Test
    void backupServesOnlyWhenThePrimaryIsDown() throws Exception {
        UpstreamOptions o = UpstreamOptions.builder().balancing(Balancing.LEAST_CONN).keepalive(8)
                .servers(t -> t.version().equals("green") ? ServerOptions.builder().backup(true).build() : null).build();
        NginxRouter router = nginx.routerBuilder().upstreamOptions(o).build();
        router.apply(Routing.of(Route.active(blue, 10000), Route.active(green, 10000)));
        assertEquals(Map.of("blue", 20), Http.count(nginx.port(), 20, Map.of()), "the backup gets nothing");
        router.apply(Routing.of(Route.disabled(blue), Route.active(green, 10000)));
        assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of()), "the primary is down");
        // sticky: green's own upstream has only the backup, rendered as a primary so that nginx accepts it
        Routing sticky = new Routing(List.of(Route.active(blue, 5000), Route.active(green, 5000)),
                Stickiness.on(RequestKey.header("X-User")), List.of());
        router.apply(sticky);
        assertTrue(nginx.control().test().ok());
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (int i = 0; i < 40; i++) {
            seen.merge(Http.version(nginx.port(), Map.of("X-User", "u" + i)), 1, Integer::sum);
        }
        assertTrue(seen.getOrDefault("green", 0) > 0 && seen.getOrDefault("blue", 0) > 0, seen.toString());
    }
}
