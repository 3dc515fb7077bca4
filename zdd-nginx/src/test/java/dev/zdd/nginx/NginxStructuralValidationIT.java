package dev.zdd.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NginxRouter.Validation#STRUCTURAL} against a real nginx with real backends. */
class NginxStructuralValidationIT {
    private NginxFixture fixture;
    private TestNginx nginx;
    private Target blue;
    private Target green;
    private Target green2;
    private Routing allBlue;
    private final AtomicInteger tests = new AtomicInteger();
    private final AtomicInteger reloads = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        fixture = new NginxFixture();
        TestBackend b = fixture.backend("blue");
        TestBackend g = fixture.backend("green");
        TestBackend g2 = fixture.backend("green2");
        blue = b.target("blue-1");
        green = g.target("green-1");
        green2 = g2.target("green-2");
        allBlue = Routing.of(Route.active(blue, 10000), Route.disabled(green));
        nginx = fixture.start("app", allBlue).nginx();
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** The real control of this nginx, counting the calls. */
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
                reloads.incrementAndGet();
                return real.reload();
            }
        };
    }

    private NginxRouter router(NginxRouter.Validation validation) {
        return nginx.routerBuilder().control(counting()).validation(validation).build();
    }

    @Test
    void weightOnlyChangesSkipValidationAndStillServe() throws Exception {
        NginxRouter router = router(NginxRouter.Validation.STRUCTURAL);
        router.apply(Routing.of(Route.active(blue, 9000), Route.active(green, 1000)));
        assertEquals(1, tests.get(), "the first apply of an instance validates");
        Routing allGreen = Routing.of(Route.active(green, 10000), Route.disabled(blue));
        router.apply(allGreen);
        assertEquals(1, tests.get(), "weights only: nginx -t skipped");
        assertEquals(2, reloads.get(), "but reloaded");
        assertEquals(Map.of("green", 20), Http.count(nginx.port(), 20, Map.of()));
        assertEquals(allGreen, router.current());
        router.apply(allBlue);
        assertEquals(1, tests.get());
        assertEquals(Map.of("blue", 20), Http.count(nginx.port(), 20, Map.of()));
    }

    @Test
    void alwaysValidatesEveryChange() throws Exception {
        NginxRouter router = router(NginxRouter.Validation.ALWAYS);
        router.apply(Routing.of(Route.active(blue, 9000), Route.active(green, 1000)));
        router.apply(Routing.of(Route.active(green, 10000), Route.disabled(blue)));
        assertEquals(2, tests.get());
        assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of()));
    }

    @Test
    void aNewAddressOrDriftValidates() throws Exception {
        NginxRouter router = router(NginxRouter.Validation.STRUCTURAL);
        router.apply(Routing.of(Route.active(blue, 9000), Route.active(green, 1000)));
        Routing withGreen2 = Routing.of(Route.active(blue, 9000), Route.active(green2, 1000));
        router.apply(withGreen2);
        assertEquals(2, tests.get(), "a new server address validates");
        assertTrue(Http.count(nginx.port(), 50, Map.of()).containsKey("green2"));

        // another router instance changes the file: for this one that is drift from what it saw accepted
        nginx.routerBuilder().build().apply(Routing.of(Route.active(blue, 5000), Route.active(green2, 5000)));
        router.apply(Routing.of(Route.active(green2, 10000), Route.disabled(blue)));
        assertEquals(3, tests.get(), "a file this instance did not apply validates, though only weights changed");
        assertEquals(Map.of("green2", 10), Http.count(nginx.port(), 10, Map.of()));
    }

    @Test
    void aReloadThatNginxRejectsIsStillRestoredAndTheNextApplyValidates() throws Exception {
        NginxRouter router = nginx.routerBuilder().control(counting()).validation(NginxRouter.Validation.STRUCTURAL)
                .confirmTimeout(Duration.ofSeconds(20)).build();
        Routing canary = Routing.of(Route.active(blue, 9000), Route.active(green, 1000));
        router.apply(canary);
        String before = Files.readString(router.includeFile());
        String good = Files.readString(nginx.mainConfig());
        int afterFailureTotal;
        Files.writeString(nginx.mainConfig(), good + "broken_directive on;\n");
        try {
            RouterException e = assertThrows(RouterException.class,
                    () -> router.apply(Routing.of(Route.active(green, 10000), Route.disabled(blue))));
            // weights only: nginx -t skipped before the reload; the reload found the problem (the error log's [emerg],
            // or nginx -t run once the new generation was late: then one more test)
            int afterFailure = tests.get();
            assertTrue(afterFailure == 1 || afterFailure == 2, "nginx -t runs: " + afterFailure);
            assertTrue(e.getMessage().contains("step 'confirm' failed"), e.getMessage());
            assertTrue(e.getMessage().contains("[emerg]"), e.getMessage());
            assertTrue(e.getMessage().contains("broken_directive"), e.getMessage());
            assertTrue(e.getMessage().contains("the previous file was restored"), e.getMessage());
            assertTrue(e.getMessage().contains("serves the previous configuration"), e.getMessage());
            assertEquals(before, Files.readString(router.includeFile()));
            assertEquals(canary, router.current());
            Map<String, Integer> seen = Http.count(nginx.port(), 50, Map.of());
            assertTrue(seen.getOrDefault("blue", 0) > 30 && seen.get("green") != null, seen.toString());

            // after a failure the next apply validates, even for a weight-only change: nginx -t names the problem
            RouterException again = assertThrows(RouterException.class,
                    () -> router.apply(Routing.of(Route.active(green, 10000), Route.disabled(blue))));
            assertEquals(afterFailure + 1, tests.get());
            afterFailureTotal = tests.get();
            assertTrue(again.getMessage().contains("step 'validate' failed"), again.getMessage());
        } finally {
            Files.writeString(nginx.mainConfig(), good);
        }
        Routing allGreen = Routing.of(Route.active(green, 10000), Route.disabled(blue));
        router.apply(allGreen);
        int base = tests.get();
        assertEquals(afterFailureTotal + 1, base, "still validating: the last apply failed");
        assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of()));
        router.apply(allBlue);
        assertEquals(base, tests.get(), "accepted again: weights only skip nginx -t");
        assertEquals(Map.of("blue", 10), Http.count(nginx.port(), 10, Map.of()));
    }

    @Test
    void validationMustNotBeNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NginxRouter.builder().validation(null));
        assertTrue(e.getMessage().contains("validation"), e.getMessage());
    }
}
