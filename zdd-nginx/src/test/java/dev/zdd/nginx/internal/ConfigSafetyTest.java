package dev.zdd.nginx.internal;

import dev.zdd.api.Arguments;
import dev.zdd.api.Endpoint;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigSafetyTest {
    @ParameterizedTest
    @ValueSource(strings = {"a;b", "a{b", "a}b", "a\"b", "a'b", "a$b", "a b", "a\tb", "a#b", "a\nb", "a\\b", "a`b"})
    void everyInjectionCharacterIsRejectedNamingFieldAndValue(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigSafety.check("endpoint.host", bad, ConfigSafety.HOST, "a host"));
        assertTrue(e.getMessage().startsWith("endpoint.host '"), e.getMessage());
        assertTrue(e.getMessage().contains("inject"), e.getMessage());
        assertTrue(e.getMessage().contains(Arguments.printable(bad)), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "the message must not carry a raw newline");
    }

    @Test
    void valuesOutsideThePatternAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigSafety.check("name", "9app", ConfigSafety.UPSTREAM_NAME, "a letter first"));
        assertEquals("name '9app' is invalid: expected a letter first", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConfigSafety.port("status.port", 0));
        assertThrows(IllegalArgumentException.class, () -> ConfigSafety.port("status.port", 65536));
        assertEquals(8080, ConfigSafety.port("status.port", 8080));
    }

    @Test
    void upstreamNameIsCheckedBeforeRendering() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IncludeFile.render("app;include /etc/passwd", Routing.EMPTY, new Endpoint("127.0.0.1", 1)));
        assertTrue(e.getMessage().contains("upstream name 'app;include /etc/passwd'"), e.getMessage());
    }

    @Test
    void cookieNamesNginxCannotReadAndAttributesAreRejected() {
        Target t = Target.of("a", "v1", "127.0.0.1", 8080);
        Routing dash = new Routing(List.of(Route.active(t, 1)), Stickiness.on(RequestKey.cookie("user-id")), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IncludeRenderer.check(dash));
        assertTrue(e.getMessage().contains("stickiness.key cookie name 'user-id'"), e.getMessage());

        Routing attr = new Routing(List.of(Route.active(t, 1)), null,
                List.of(Rule.match(RequestKey.attribute("user"), Set.of("x"), "v1")));
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> IncludeRenderer.check(attr));
        assertTrue(a.getMessage().contains("rules[0].key attribute:user is not supported by nginx"), a.getMessage());
    }
}
