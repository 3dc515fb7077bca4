package dev.zdd.nginx.internal;

import dev.zdd.api.Endpoint;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IncludeFileTest {
    private static final Endpoint STATUS = new Endpoint("127.0.0.1", 18081);
    private static final Target BLUE1 = Target.of("blue-1", "blue", "127.0.0.1", 8081);
    private static final Target BLUE2 = Target.of("blue-2", "blue", "127.0.0.1", 8082);
    private static final Target GREEN1 = new Target("green-1", "green", new Endpoint("::1", 8083),
            Map.of("colour", "green #1; {x}"));

    @Test
    void weightedRoutingRendersOneUpstreamWithWeightsAndDown() {
        Routing r = Routing.of(Route.active(BLUE1, 9000), Route.draining(BLUE2), Route.active(GREEN1, 1000));
        String text = IncludeFile.render("app", r, STATUS).text();
        assertTrue(text.contains("upstream zdd_app {"), text);
        assertTrue(text.contains("server 127.0.0.1:8081 weight=9000;"), text);
        assertTrue(text.contains("server 127.0.0.1:8082 down;"), text);
        assertTrue(text.contains("server [::1]:8083 weight=1000;"), text);
        assertTrue(text.contains("map $host $zdd_app_upstream {\n    default zdd_app;\n}"), text);
        assertTrue(text.contains("listen 127.0.0.1:18081;"), text);
        assertFalse(text.contains("split_clients"), text);
    }

    @Test
    void activeWeightZeroIsDownButRoundTripsExactly() {
        Routing r = Routing.of(Route.active(BLUE1, 10000), Route.active(GREEN1, 0));
        IncludeFile f = IncludeFile.render("app", r, STATUS);
        assertTrue(f.text().contains("server [::1]:8083 down;"), f.text());
        assertEquals(r, IncludeFile.parse(f.text()).routing());
    }

    @Test
    void roundTripKeepsEverythingIncludingAttributesStickinessAndRules() {
        Routing r = new Routing(List.of(Route.active(GREEN1, 2500), Route.active(BLUE1, 7500), Route.disabled(BLUE2)),
                Stickiness.on(RequestKey.cookie("user_id")),
                List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta", "a.b+c"), "green")));
        IncludeFile f = IncludeFile.render("app", r, STATUS);
        IncludeFile back = IncludeFile.parse(f.text());
        assertEquals(r, back.routing());
        assertEquals(f.id(), back.id());
        assertFalse(f.text().lines().skip(1).anyMatch(l -> l.contains("#1; {x}") && !l.startsWith("#")),
                "an attribute value only ever appears inside the JSON comment");
    }

    @Test
    void stickySplitListsVersionsInRouteOrderFirstFromZero() {
        Routing r = new Routing(List.of(Route.active(GREEN1, 1000), Route.active(BLUE1, 4500), Route.active(BLUE2, 4500)),
                Stickiness.on(RequestKey.header("X-User")), List.of());
        String text = IncludeFile.render("app", r, STATUS).text();
        assertTrue(text.contains("split_clients \"${http_x_user}\" $zdd_app_split {\n"
                + "    10.00% zdd_app_v0;  # version green\n"
                + "    * zdd_app_v1;  # version blue\n}"), text);
        assertTrue(text.contains("upstream zdd_app_v0 {  # version green\n    server [::1]:8083 weight=1000;"), text);
        assertTrue(text.contains("map $http_x_user $zdd_app_base {\n    \"\" zdd_app;"), text);
        assertTrue(text.contains("default $zdd_app_base;"), text);
    }

    @Test
    void firstVersionsRangeOnlyGrowsAsItsWeightGrows() {
        Pattern first = Pattern.compile("    (\\d+)\\.(\\d\\d)% zdd_app_v0;");
        int previous = -1;
        for (int w = 1; w < 10000; w += 37) {
            Routing r = new Routing(List.of(Route.active(GREEN1, w), Route.active(BLUE1, 10000 - w)),
                    Stickiness.on(RequestKey.clientAddress()), List.of());
            String text = IncludeFile.render("app", r, STATUS).text();
            Matcher m = first.matcher(text);
            int hundredths = m.find() ? Integer.parseInt(m.group(1)) * 100 + Integer.parseInt(m.group(2)) : 0;
            assertTrue(hundredths >= previous, "range shrank at weight " + w);
            assertTrue(Math.abs(hundredths - w) <= 1, "weight " + w + " rendered as " + hundredths);
            previous = hundredths;
        }
    }

    @Test
    void threeVersionsGetCumulativelyRoundedRanges() {
        Target v3 = Target.of("c-1", "c", "127.0.0.1", 8084);
        Routing r = new Routing(List.of(Route.active(BLUE1, 3333), Route.active(GREEN1, 3333), Route.active(v3, 3334)),
                Stickiness.on(RequestKey.clientAddress()), List.of());
        String text = IncludeFile.render("app", r, STATUS).text();
        assertTrue(text.contains("    33.33% zdd_app_v0;  # version blue\n    33.33% zdd_app_v1;  # version green\n"
                + "    * zdd_app_v2;  # version c\n"), text);
        assertTrue(text.contains("split_clients \"${remote_addr}\""), text);
    }

    @Test
    void rulesBecomeChainedExactCaseSensitiveMaps() {
        Routing r = new Routing(List.of(Route.active(BLUE1, 10000), Route.active(GREEN1, 0)), null,
                List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta"), "green"),
                        Rule.match(RequestKey.cookie("tier"), Set.of("a.b+c"), "blue")));
        String text = IncludeFile.render("app", r, STATUS).text();
        // green is ACTIVE with weight 0 (a preview): its rule reaches it, evenly, through its own upstream
        assertTrue(text.contains("upstream zdd_app_v1 {  # version green (weight 0: reachable by rules only, evenly)\n"
                + "    server [::1]:8083 weight=1;"), text);
        assertTrue(text.contains("map $http_x_group $zdd_app_upstream {\n    \"~^beta$\" zdd_app_v1;\n"
                + "    default $zdd_app_rule1;\n}"), text);
        assertTrue(text.contains("map $cookie_tier $zdd_app_rule1 {\n    \"~^a\\.b\\+c$\" zdd_app_v0;\n"
                + "    default zdd_app;\n}"), text);
        // a version with no ACTIVE target: the rule is skipped and traffic falls back to weights
        Routing drained = new Routing(List.of(Route.active(BLUE1, 10000), Route.draining(GREEN1)), null,
                List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta"), "green")));
        String t0 = IncludeFile.render("app", drained, STATUS).text();
        assertTrue(t0.contains("# rule header:X-Group -> green skipped: that version has no ACTIVE target"), t0);
        assertTrue(t0.contains("map $host $zdd_app_upstream {\n    default zdd_app;\n}"), t0);

        Routing both = r.withRules(List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta"), "blue"),
                Rule.match(RequestKey.cookie("tier"), Set.of("gold"), "blue")));
        String t2 = IncludeFile.render("app", both, STATUS).text();
        assertTrue(t2.contains("map $http_x_group $zdd_app_upstream {\n    \"~^beta$\" zdd_app_v0;\n"
                + "    default $zdd_app_rule1;\n}"), t2);
        assertTrue(t2.contains("map $cookie_tier $zdd_app_rule1 {\n    \"~^gold$\" zdd_app_v0;\n    default zdd_app;\n}"), t2);
    }

    @Test
    void emptyRoutingRendersAPlaceholderServer() {
        String text = IncludeFile.render("app", Routing.EMPTY, STATUS).text();
        assertTrue(text.contains("server 127.0.0.1:9 down;"), text);
        assertEquals(Routing.EMPTY, IncludeFile.parse(text).routing());
    }

    @Test
    void anyEditIsDetected() {
        IncludeFile f = IncludeFile.render("app", Routing.of(Route.active(BLUE1, 5000), Route.active(BLUE2, 5000)), STATUS);
        IllegalArgumentException body = assertThrows(IllegalArgumentException.class,
                () -> IncludeFile.parse(f.text().replace("weight=5000;  # blue-2", "weight=9000;  # blue-2")));
        assertTrue(body.getMessage().contains("checksum does not match"), body.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> IncludeFile.parse(f.text().replace("\"weight\":5000", "\"weight\":9000")));
        assertThrows(IllegalArgumentException.class, () -> IncludeFile.parse(f.text() + "# appended\n"));
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> IncludeFile.parse("upstream app { server 127.0.0.1:8081; }\n"));
        assertTrue(foreign.getMessage().contains("not written by zdd"), foreign.getMessage());
    }

    @Test
    void generationIdDependsOnRoutingOnly() {
        Routing a = Routing.of(Route.active(BLUE1, 10000));
        Routing b = Routing.of(Route.active(BLUE2, 10000));
        assertEquals(IncludeFile.render("app", a, STATUS).id(),
                IncludeFile.render("app", a, new Endpoint("127.0.0.1", 1)).id());
        assertNotEquals(IncludeFile.render("app", a, STATUS).id(), IncludeFile.render("app", b, STATUS).id());
    }
}
