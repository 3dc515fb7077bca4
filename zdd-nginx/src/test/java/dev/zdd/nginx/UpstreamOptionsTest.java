package dev.zdd.nginx;

import dev.zdd.api.Endpoint;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.nginx.UpstreamOptions.Balancing;
import dev.zdd.nginx.internal.ConfigStructure;
import dev.zdd.nginx.internal.IncludeFile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamOptionsTest {
    private static final Endpoint STATUS = new Endpoint("127.0.0.1", 18081);
    private static final Target BLUE = Target.of("blue-1", "blue", "127.0.0.1", 8081);
    private static final Target GREEN = new Target("green-1", "green", new Endpoint("127.0.0.1", 8082),
            Map.of("role", "spare"));

    private static UpstreamOptions full(Balancing balancing) {
        return UpstreamOptions.builder().balancing(balancing).zone("64k").keepalive(32).keepaliveRequests(1000)
                .keepaliveTimeout(Duration.ofMillis(1500))
                .servers(ServerOptions.builder().maxFails(3).failTimeout(Duration.ofSeconds(10)).maxConns(100).build())
                .build();
    }

    @Test
    void rendersInEveryUpstreamIncludingThePerVersionOnes() {
        Routing sticky = new Routing(List.of(Route.active(BLUE, 9000), Route.active(GREEN, 1000)),
                Stickiness.on(RequestKey.header("X-User")), List.of());
        String text = IncludeFile.render("app", sticky, STATUS, full(Balancing.hash("$http_x_user", true))).text();
        for (String upstream : List.of("zdd_app", "zdd_app_v0", "zdd_app_v1")) {
            String block = text.substring(text.indexOf("upstream " + upstream + " {"));
            block = block.substring(0, block.indexOf("}\n"));
            assertTrue(block.contains("    zone " + upstream + " 64k;\n    hash $http_x_user consistent;\n"
                    + "    keepalive 32;\n    keepalive_requests 1000;\n    keepalive_timeout 1500ms;\n"), block);
            assertTrue(block.contains(" max_fails=3 fail_timeout=10s max_conns=100;"), block);
        }
        assertTrue(text.contains("server 127.0.0.1:8081 weight=9000 max_fails=3 fail_timeout=10s max_conns=100;"), text);
    }

    @Test
    void defaultsRenderNothingNew() {
        Routing r = Routing.of(Route.active(BLUE, 10000));
        assertEquals(IncludeFile.render("app", r, STATUS).text(),
                IncludeFile.render("app", r, STATUS, UpstreamOptions.DEFAULTS).text());
        assertFalse(IncludeFile.render("app", r, STATUS).text().contains("keepalive "));
    }

    @Test
    void everyMethodRenders() {
        Routing r = Routing.of(Route.active(BLUE, 10000));
        Map<Balancing, String> expected = Map.of(Balancing.LEAST_CONN, "least_conn;", Balancing.IP_HASH, "ip_hash;",
                Balancing.RANDOM, "random;", Balancing.RANDOM_TWO, "random two least_conn;",
                Balancing.hash("$request_uri", false), "hash $request_uri;");
        expected.forEach((b, line) -> assertTrue(IncludeFile.render("app", r, STATUS,
                UpstreamOptions.builder().balancing(b).build()).text().contains("\n    " + line + "\n"), line));
    }

    @Test
    void backupPerTargetAndDroppedWhereAnUpstreamWouldHaveNoPrimary() {
        UpstreamOptions o = UpstreamOptions.builder().servers(t -> "spare".equals(t.attributes().get("role"))
                ? ServerOptions.builder().backup(true).build() : null).build();
        Routing sticky = new Routing(List.of(Route.active(BLUE, 9000), Route.active(GREEN, 1000)),
                Stickiness.on(RequestKey.header("X-User")), List.of());
        String text = IncludeFile.render("app", sticky, STATUS, o).text();
        String all = text.substring(text.indexOf("upstream zdd_app {"), text.indexOf("upstream zdd_app_v0"));
        assertTrue(all.contains("server 127.0.0.1:8082 weight=1000 backup;"), all);
        String v1 = text.substring(text.indexOf("upstream zdd_app_v1 {"));
        v1 = v1.substring(0, v1.indexOf("}\n"));
        assertTrue(v1.contains("server 127.0.0.1:8082 weight=1000;  # green-1 version green (backup dropped"), v1);
    }

    @Test
    void backupWithAMethodThatCannotHaveOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpstreamOptions.builder()
                .balancing(Balancing.IP_HASH).servers(ServerOptions.builder().backup(true).build()).build());
        assertTrue(e.getMessage().contains("backup") && e.getMessage().contains("ip_hash"), e.getMessage());
        UpstreamOptions perTarget = UpstreamOptions.builder().balancing(Balancing.RANDOM)
                .servers(t -> ServerOptions.builder().backup(true).build()).build();
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> IncludeFile.render("app", Routing.of(Route.active(BLUE, 1)), STATUS, perTarget));
        assertTrue(e2.getMessage().contains("'blue-1'") && e2.getMessage().contains("random"), e2.getMessage());
    }

    @Test
    void badValuesNameTheFieldAndTheValue() {
        assertMessage(() -> UpstreamOptions.builder().keepalive(0), "keepalive", "0");
        assertMessage(() -> UpstreamOptions.builder().keepaliveRequests(-1), "keepaliveRequests", "-1");
        assertMessage(() -> UpstreamOptions.builder().keepaliveTimeout(Duration.ZERO), "keepaliveTimeout", "PT0S");
        assertMessage(() -> UpstreamOptions.builder().keepaliveTimeout(Duration.ofNanos(1_500_000)), "keepaliveTimeout",
                "PT0.0015S");
        assertMessage(() -> UpstreamOptions.builder().zone("64k; evil"), "zone", "64k; evil");
        assertMessage(() -> UpstreamOptions.builder().zone("4k"), "zone", "4k");
        assertMessage(() -> Balancing.hash("$uri consistent; server evil", false), "hash key", "$uri consistent");
        assertMessage(() -> Balancing.hash("${uri}", false), "hash key", "${uri}");
        assertMessage(() -> ServerOptions.builder().maxFails(-1), "maxFails", "-1");
        assertMessage(() -> ServerOptions.builder().maxConns(0), "maxConns", "0");
        assertMessage(() -> ServerOptions.builder().failTimeout(Duration.ofHours(2)), "failTimeout", "PT2H");
        assertMessage(() -> ServerOptions.builder().failTimeout(Duration.ofMillis(2500)), "failTimeout", "PT2.5S");
        assertMessage(() -> UpstreamOptions.builder().keepaliveRequests(5).build(), "keepaliveRequests", "5");
        assertMessage(() -> NginxRouter.builder().upstreamOptions(null), "upstreamOptions", "null");
    }

    @Test
    void structureKeepsOptionsAndStripsOnlyWeightsDownAndBackup() {
        UpstreamOptions o = full(Balancing.LEAST_CONN);
        String a = IncludeFile.render("app", Routing.of(Route.active(BLUE, 9000), Route.active(GREEN, 1000)), STATUS, o)
                .text();
        String b = IncludeFile.render("app", Routing.of(Route.active(GREEN, 10000), Route.disabled(BLUE)), STATUS, o)
                .text();
        assertNotNull(ConfigStructure.of(a));
        assertEquals(ConfigStructure.of(a), ConfigStructure.of(b));
        assertTrue(ConfigStructure.of(a).contains("keepalive 32;"), ConfigStructure.of(a));
        assertTrue(ConfigStructure.of(a).contains("max_conns=100;"), ConfigStructure.of(a));
        String other = IncludeFile.render("app", Routing.of(Route.active(BLUE, 9000), Route.active(GREEN, 1000)), STATUS,
                UpstreamOptions.builder().keepalive(16).build()).text();
        assertFalse(ConfigStructure.of(a).equals(ConfigStructure.of(other)));
    }

    private static void assertMessage(Runnable r, String field, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(value), e.getMessage());
    }
}
