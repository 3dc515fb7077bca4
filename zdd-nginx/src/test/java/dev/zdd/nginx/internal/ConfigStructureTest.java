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
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class ConfigStructureTest {
    private static final Endpoint STATUS = new Endpoint("127.0.0.1", 18081);
    private static final Target BLUE = Target.of("blue-1", "blue", "127.0.0.1", 8081);
    private static final Target GREEN = Target.of("green-1", "green", "127.0.0.1", 8082);
    private static final Target OTHER = Target.of("green-2", "green", "127.0.0.1", 8083);
    private static final Stickiness STICKY = Stickiness.on(RequestKey.header("X-User"));
    private static final List<Rule> RULES = List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta"), "green"));

    private static String structure(Routing r) {
        String s = ConfigStructure.of(IncludeFile.render("app", r, STATUS).text());
        assertNotNull(s, "a rendered file always has a structure");
        return s;
    }

    private static Routing sticky(int blueWeight, int greenWeight) {
        return new Routing(List.of(Route.active(BLUE, blueWeight), Route.active(GREEN, greenWeight)), STICKY, RULES);
    }

    @Test
    void weightsDownAndServerOrderAreNotStructure() {
        String a = structure(Routing.of(Route.active(BLUE, 10000), Route.disabled(GREEN)));
        assertEquals(a, structure(Routing.of(Route.active(GREEN, 10000), Route.disabled(BLUE))));
        assertEquals(a, structure(Routing.of(Route.active(BLUE, 9000), Route.active(GREEN, 1000))));
        assertEquals(a, structure(Routing.of(Route.draining(BLUE), Route.active(GREEN, 5))));
    }

    @Test
    void splitPercentagesAreNotStructureButKeysValuesAndVersionsAre() {
        String tenPercent = structure(sticky(9000, 1000));
        assertEquals(tenPercent, structure(sticky(5000, 5000)));
        assertNotEquals(tenPercent, structure(new Routing(sticky(9000, 1000).routes(),
                Stickiness.on(RequestKey.header("X-Other")), RULES)), "a new stickiness key");
        assertNotEquals(tenPercent, structure(new Routing(sticky(9000, 1000).routes(), STICKY,
                List.of(Rule.match(RequestKey.header("X-Group"), Set.of("alpha"), "green")))), "a new rule value");
        assertNotEquals(tenPercent, structure(Routing.of(Route.active(BLUE, 9000), Route.active(GREEN, 1000))),
                "no split, no version upstreams");
    }

    @Test
    void addressesAndUpstreamsAreStructure() {
        String a = structure(Routing.of(Route.active(BLUE, 9000), Route.active(GREEN, 1000)));
        assertNotEquals(a, structure(Routing.of(Route.active(BLUE, 9000), Route.active(OTHER, 1000))), "new address");
        assertNotEquals(a, structure(Routing.of(Route.active(BLUE, 9000), Route.active(GREEN, 500),
                Route.active(OTHER, 500))), "one more server");
        assertNotEquals(a, structure(Routing.of(Route.active(BLUE, 10000))), "one server less");
    }

    @Test
    void statusIdAndCommentsAreNotStructureButTheStatusAddressIs() {
        Routing r = Routing.of(Route.active(BLUE, 10000));
        String s = ConfigStructure.of(IncludeFile.render("app", r, STATUS).text());
        assertEquals(s, ConfigStructure.of(IncludeFile.render("app", Routing.of(Route.active(BLUE, 7)), STATUS).text()));
        assertNotEquals(s, ConfigStructure.of(IncludeFile.render("app", r, new Endpoint("127.0.0.1", 18082)).text()));
        assertNotEquals(s, ConfigStructure.of(IncludeFile.render("other", r, STATUS).text()), "another upstream name");
    }

    @Test
    void whatNginxCouldRejectHasNoStructure() {
        assertNull(ConfigStructure.of("split_clients \"${x}\" $s {\n    60.00% a;\n    50.00% b;\n    * c;\n}\n"),
                "above 100% in total");
        assertNull(ConfigStructure.of("upstream u {\n    server 127.0.0.1:1 slow_start=1s;\n}\n"),
                "an unexpected server parameter");
        assertNull(ConfigStructure.of("upstream u {\n    sticky cookie x;\n    server 127.0.0.1:1;\n}\n"),
                "an unexpected upstream directive");
        assertNull(ConfigStructure.of("upstream u {\n    server 127.0.0.1:1;\n"), "an unterminated upstream");
        assertEquals("upstream u {\n    server 127.0.0.1:1;\n    server 127.0.0.1:2;\n}\n",
                ConfigStructure.of("upstream u {  # comment\n    server 127.0.0.1:2 backup;\n"
                        + "    server 127.0.0.1:1 weight=3 down;  # x\n}\n"));
    }
}
