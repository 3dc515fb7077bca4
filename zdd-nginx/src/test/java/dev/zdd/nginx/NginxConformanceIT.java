package dev.zdd.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Target;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.RouterConformance;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link NginxRouter} passes zdd-core's {@link RouterConformance} against a real nginx, checked on the data path. */
class NginxConformanceIT {
    @Test
    void passesRouterConformanceWithTrafficThroughNginx() throws Exception {
        Optional<Path> binary = IntegrationEnvironment.find("nginx", "apt-get install nginx");
        assumeTrue(binary.isPresent(), "nginx is not installed (apt-get install nginx)");
        try (TestBackend blue1 = TestBackend.start("blue");
             TestBackend green1 = TestBackend.start("green");
             TestBackend blue2 = TestBackend.start("blue");
             TestNginx nginx = TestNginx.create(binary.get(), "conf")) {
            // attributes as a launcher sets them: they must survive current() and a new router object (process)
            List<Target> targets = List.of(blue1.target("blue-1", Map.of("colour", "blue", "pid", "101")),
                    green1.target("green-1", Map.of("colour", "green", "pid", "102")), blue2.target("blue-2"));
            NginxRouter router = nginx.routerBuilder().build();
            Routing initial = Routing.of(Route.active(targets.get(0), 10000));
            router.writeInitial(initial);
            nginx.start();

            RouterConformance.Report report = RouterConformance.check(router, targets,
                    RouterConformance.Options.builder().name("nginx").verifier(r -> verify(nginx.port(), r))
                            .newInstance(() -> nginx.routerBuilder().build()).build());
            assertTrue(report.skipped().stream().noneMatch(s -> s.startsWith("stickiness") || s.startsWith("rules")),
                    report.toString());
            assertTrue(report.passed().containsAll(List.of("stickiness", "rules", "drain", "rollback", "new instance")),
                    report.toString());
            assertEquals(initial, nginx.routerBuilder().build().current(), "read by a new router object");
        }
    }

    /** Every answer through nginx comes from a serving version; a rule's value reaches the rule's version. */
    private static void verify(int port, Routing r) {
        Set<String> serving = r.servingVersions();
        if (serving.isEmpty()) {
            return;
        }
        try {
            for (int i = 0; i < 10; i++) {
                String v = Http.version(port, Map.of());
                assertTrue(serving.contains(v), "answer from " + v + " but " + r + " serves " + serving);
            }
            for (Rule rule : r.rules()) {
                if (serving.contains(rule.version())) {
                    String value = rule.values().iterator().next();
                    assertEquals(rule.version(), Http.version(port, Map.of(rule.key().name(), value)),
                            "rule " + rule + " of " + r);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
