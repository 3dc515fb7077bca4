package dev.zdd.haproxy;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.RouterConformance;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.haproxy.testing.LocalHaproxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every deploy is a new process: a router object applies, a FRESH router object built from the same configuration
 * (what a later deployer process builds) reads the same targets with versions and attributes, recognises the dynamic
 * servers the first one added, and takes them out of traffic and out of HAProxy when its table omits them. Against a
 * real HAProxy 2.6 with real backends; every check also looks at {@code show servers state} and real requests.
 */
class HaproxyNewProcessIT {
    static Path exe;
    static TestBackend v1a;
    static TestBackend v1b;
    static TestBackend v2a;
    static TestBackend v2b;

    @TempDir
    Path dir;
    LocalHaproxy haproxy;

    @BeforeAll
    static void backends() throws Exception {
        Optional<Path> e = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(e.isPresent(), "haproxy is not installed");
        exe = e.get();
        v1a = TestBackend.start("v1");
        v1b = TestBackend.start("v1");
        v2a = TestBackend.start("v2");
        v2b = TestBackend.start("v2");
    }

    @AfterAll
    static void stop() {
        for (TestBackend b : new TestBackend[] {v1a, v1b, v2a, v2b}) {
            if (b != null) {
                b.close();
            }
        }
    }

    @AfterEach
    void stopHaproxy() {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    static Target t(TestBackend b, String id, String colour, long pid) {
        return b.target(id, Map.of(Target.COLOUR, colour, "pid", String.valueOf(pid), "started", "1700000000000"));
    }

    HaproxyRouter dynamicRouter() {
        return HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).dynamicServers(true)
                .deleteTimeout(Duration.ofSeconds(3)).stateFile(dir.resolve("app.state")).build();
    }

    Set<String> servers() {
        Set<String> out = new TreeSet<>();
        haproxy.client().showServersState(LocalHaproxy.BACKEND).forEach(s -> out.add(s.serverName()));
        return out;
    }

    Map<String, Integer> answers(int n) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            out.merge(Http.get(haproxy.frontendPort()), 1, Integer::sum);
        }
        return out;
    }

    @Test
    void freshRouterReadsVersionsAndAttributesAndRemovesTheDeadProcessesDynamicServers() throws Exception {
        haproxy = LocalHaproxy.builder(exe, dir).start();
        Target blue1 = t(v1a, "web-blue-1", "blue", 101);
        Target blue2 = t(v1b, "web-blue-2", "blue", 102);
        Target green1 = t(v2a, "web-green-1", "green", 201);
        Target green2 = t(v2b, "web-green-2", "green", 202);
        Routing first = Routing.evenly(List.of(blue1, blue2));
        dynamicRouter().apply(first);

        // a new process: identity read back
        Routing read = dynamicRouter().current();
        assertTrue(read.sameTrafficAs(first), read.toString());
        assertEquals(List.of(blue1, blue2), read.routes().stream().map(Route::target).toList());

        // the deployer that switched died mid-way: it had added green and set both splits
        HaproxyRouter dying = dynamicRouter();
        dying.apply(Routing.of(Route.active(blue1, 2500), Route.active(blue2, 2500), Route.active(green1, 2500),
                Route.active(green2, 2500)));

        // the recovery (yet another process) applies the old table: green must leave traffic AND HAProxy
        HaproxyRouter recovery = dynamicRouter();
        recovery.apply(first);
        assertEquals(Set.of("web-blue-1", "web-blue-2"), servers());
        assertEquals(Map.of("v1", 40), answers(40));
        Routing after = dynamicRouter().current();
        assertEquals(List.of(blue1, blue2), after.routes().stream().map(Route::target).toList());
    }

    @Test
    void withoutTheStateFileUnknownDynamicServersAreReportedUnknownAndStillRemoved() throws Exception {
        haproxy = LocalHaproxy.builder(exe, dir).start();
        Target blue1 = t(v1a, "web-blue-1", "blue", 101);
        Target green1 = t(v2a, "web-green-1", "green", 201);
        dynamicRouter().apply(Routing.evenly(List.of(blue1, green1)));
        Files.delete(dir.resolve("app.state"));

        Routing read = dynamicRouter().current();
        assertEquals(2, read.routes().size(), read.toString());
        for (Route r : read.routes()) {
            assertEquals(HaproxyRouter.UNKNOWN_VERSION, r.target().version(), read.toString());
            assertEquals(r.target().id(), r.target().attribute(HaproxyRouter.SERVER_ATTRIBUTE));
        }
        dynamicRouter().apply(Routing.of(Route.active(green1, 10_000)));
        assertEquals(Set.of("web-green-1"), servers());
        assertEquals(Map.of("v2", 30), answers(30));
    }

    @Test
    void aCorruptStateFileIsIgnoredWithTheRuntimeViewAndNothingBreaks() throws Exception {
        haproxy = LocalHaproxy.builder(exe, dir).start();
        Target blue1 = t(v1a, "web-blue-1", "blue", 101);
        dynamicRouter().apply(Routing.of(Route.active(blue1, 10_000)));
        Path state = dir.resolve("app.state");
        Files.writeString(state, Files.readString(state).replace("blue", "pink"));
        Routing read = dynamicRouter().current();
        assertEquals(HaproxyRouter.UNKNOWN_VERSION, read.routes().get(0).target().version(), read.toString());
        Target green1 = t(v2a, "web-green-1", "green", 201);
        HaproxyRouter r = dynamicRouter();
        r.apply(Routing.of(Route.active(green1, 10_000)));
        assertEquals(Set.of("web-green-1"), servers());
        assertEquals(List.of(green1), dynamicRouter().current().routes().stream().map(Route::target).toList());
    }

    @Test
    void configuredServersKeepTheAttributesTheyWereAppliedWithAndOmittedOnesGoToMaintenance() throws Exception {
        haproxy = LocalHaproxy.builder(exe, dir).server("blue", v1a.endpoint(), 256, true)
                .server("green", v2a.endpoint(), 256, false).start();
        Target blue = v1a.target("blue");
        Target green = v2a.target("green");
        java.util.function.Supplier<HaproxyRouter> fresh = () -> HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND)
                .server("blue", blue).server("green", green).stateFile(dir.resolve("configured.state")).build();
        Target greenApplied = v2a.target("green", Map.of(Target.COLOUR, "green", "pid", "4242"));
        fresh.get().apply(Routing.of(Route.active(greenApplied, 10_000), Route.disabled(blue)));
        Routing read = fresh.get().current();
        assertEquals(List.of(greenApplied, blue), read.routes().stream().map(Route::target).toList(), read.toString());
        // a table that omits blue: blue stays in maintenance
        fresh.get().apply(Routing.of(Route.active(greenApplied, 10_000)));
        assertEquals(Map.of("v2", 20), answers(20));
    }

    @Test
    void passesTheNewInstanceRoundOfTheConformanceCheck() throws Exception {
        haproxy = LocalHaproxy.builder(exe, dir).server("blue", v1a.endpoint(), 256, true).start();
        Target blue = v1a.target("blue");
        java.util.function.Supplier<dev.zdd.api.TrafficRouter> fresh = () -> HaproxyRouter.builder(haproxy.client(),
                LocalHaproxy.BACKEND).server("blue", blue).dynamicServers(true).deleteTimeout(Duration.ofSeconds(3))
                .stateFile(dir.resolve("conf.state")).build();
        RouterConformance.Report report = RouterConformance.check(fresh.get(),
                List.of(blue, t(v2a, "green-1", "green", 7), t(v1b, "blue-2", "blue", 8)),
                RouterConformance.Options.builder().name("HaproxyRouter (dynamic + configured)").newInstance(fresh).build());
        assertTrue(report.passed().contains("new instance"), report.toString());
    }
}
