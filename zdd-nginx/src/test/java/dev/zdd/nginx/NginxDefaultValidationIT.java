package dev.zdd.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default {@link NginxRouter.Validation#ON_RELOAD} against a real nginx: no {@code nginx -t} before a reload when
 * there is a zdd file to go back to, and a configuration nginx refuses is still refused, reported with nginx's words
 * and the previous include restored, with and without an error log.
 */
class NginxDefaultValidationIT {
    private NginxFixture fixture;
    private TestNginx nginx;
    private Target blue;
    private Target green;
    private Target green2;
    private final AtomicInteger tests = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        fixture = new NginxFixture();
        blue = fixture.backend("blue").target("blue-1");
        green = fixture.backend("green").target("green-1");
        green2 = fixture.backend("green2").target("green-2");
        nginx = fixture.start("app", Routing.of(Route.active(blue, 10000))).nginx();
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private NginxControl counting() {
        NginxControl real = nginx.control();
        return new NginxControl() {
            @Override
            public Result test() {
                tests.incrementAndGet();
                return real.test();
            }

            @Override
            public Result reload() {
                return real.reload();
            }
        };
    }

    @Test
    void theDefaultIsOnReloadAndSkipsNginxTestForEveryKindOfChange() throws Exception {
        assertEquals(NginxRouter.Validation.ON_RELOAD, NginxRouter.DEFAULT_VALIDATION);
        NginxRouter router = nginx.routerBuilder().control(counting()).build();
        router.apply(Routing.of(Route.active(blue, 9000), Route.active(green, 1000)));
        router.apply(Routing.of(Route.active(green2, 10000), Route.disabled(blue))); // a new address
        router.apply(Routing.of(Route.active(green2, 10000)).withStickiness(
                dev.zdd.api.Stickiness.on(dev.zdd.api.RequestKey.header("X-User")))); // new upstreams and a split
        assertEquals(0, tests.get(), "the reload is the test");
        assertEquals(Map.of("green2", 10), Http.count(nginx.port(), 10, Map.of()));
    }

    @Test
    void aRefusedConfigurationIsReportedFromTheErrorLogAndThePreviousIncludeRestored() throws Exception {
        NginxRouter router = nginx.routerBuilder().control(counting()).confirmTimeout(Duration.ofSeconds(30)).build();
        refusedAndRestored(router, "[emerg]");
    }

    @Test
    void withoutAnErrorLogNginxTestRunsWhenTheNewGenerationIsLate() throws Exception {
        NginxRouter router = NginxRouter.builder().name("app").includeFile(nginx.includeFile())
                .status(nginx.statusEndpoint()).control(counting()).confirmTimeout(Duration.ofSeconds(30)).build();
        String message = refusedAndRestored(router, "nginx -t (run then) rejects the configuration");
        assertFalse(message.contains("within 30000 ms"), "not the confirm timeout: " + message);
    }

    private String refusedAndRestored(NginxRouter router, String expected) throws Exception {
        Routing canary = Routing.of(Route.active(blue, 9000), Route.active(green, 1000));
        router.apply(canary);
        assertEquals(0, tests.get());
        String before = Files.readString(router.includeFile());
        String good = Files.readString(nginx.mainConfig());
        Files.writeString(nginx.mainConfig(), good + "broken_directive on;\n");
        try {
            RouterException e = assertThrows(RouterException.class,
                    () -> router.apply(Routing.of(Route.active(green, 10000), Route.disabled(blue))));
            String m = e.getMessage();
            assertTrue(m.contains("step 'confirm' failed") && m.contains(expected) && m.contains("broken_directive"), m);
            assertTrue(m.contains("the previous file was restored") && m.contains("serves the previous configuration"), m);
            assertEquals(before, Files.readString(router.includeFile()));
            assertEquals(canary, router.current());
            Map<String, Integer> seen = Http.count(nginx.port(), 50, Map.of());
            assertTrue(seen.getOrDefault("blue", 0) > 30 && seen.get("green") != null, seen.toString());

            // after a failure the next apply runs nginx -t first: the precise refusal, nothing signalled
            int t = tests.get();
            RouterException again = assertThrows(RouterException.class,
                    () -> router.apply(Routing.of(Route.active(green, 10000), Route.disabled(blue))));
            assertEquals(t + 1, tests.get());
            assertTrue(again.getMessage().contains("step 'validate' failed"), again.getMessage());
            Files.writeString(nginx.mainConfig(), good);
            int repaired = tests.get();
            router.apply(Routing.of(Route.active(green, 10000), Route.disabled(blue)));
            assertEquals(repaired + 1, tests.get(), "still validating: the last apply failed");
            router.apply(canary);
            assertEquals(repaired + 1, tests.get(), "accepted again: the reload is the test");
            return m;
        } finally {
            Files.writeString(nginx.mainConfig(), good);
        }
    }
}
