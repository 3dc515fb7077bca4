package dev.zdd.core.strategy;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.zdd.core.strategy.Fixtures.FULL;
import static dev.zdd.core.strategy.Fixtures.coloured;
import static dev.zdd.core.strategy.Fixtures.ctx;
import static dev.zdd.core.strategy.Fixtures.evenOld;
import static dev.zdd.core.strategy.Fixtures.launching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The snippets of docs/strategies.md, verbatim, so that the documentation keeps compiling and meaning what it says. */
class StrategiesDocTest {
    @Test
    void blueGreenSnippetRendersTheDocumentedPlan() {
        BlueGreen blueGreen = BlueGreen.builder()
                .initialColour("blue")
                .preview()
                .previewCheck("smoke")
                .previewGate("qa-sign-off", Duration.ofMinutes(30))
                .beforeSwitch("migrate-schema")
                .afterSwitch("notify")
                .rollbackWindow(Duration.ofMinutes(2))
                .build();
        Routing blueLive = Routing.evenly(List.of(coloured("blue-1", "v1", 9001, "blue"),
                coloured("blue-2", "v1", 9002, "blue")));
        String rendered = blueGreen.plan(launching(blueLive)).render();
        for (String line : List.of(
                "launch svc-green-1 (v2 {colour=green})",
                "shift traffic [preview]: svc-green-1=0 svc-green-2=0 blue-1=5000 blue-2=5000 rule header:X-Preview in [1] -> v2",
                "check 'smoke'", "manual gate 'qa-sign-off'", "hook 'migrate-schema'",
                "shift traffic [switch]: svc-green-1=5000 svc-green-2=5000 blue-1=draining blue-2=draining",
                "hook 'notify'", "pause PT2M", "drain blue-1, blue-2 (up to PT30S)",
                "shift traffic [remove old]: svc-green-1=5000 svc-green-2=5000",
                "retire blue-1, blue-2 (grace PT10S)")) {
            assertTrue(rendered.contains(line), line + " not in\n" + rendered);
        }
        assertEquals(13, blueGreen.plan(launching(blueLive)).steps().size());
    }

    @Test
    void canarySnippetsPlan() {
        Canary canary = Canary.builder()
                .instances(1)
                .stickyOn(RequestKey.cookie("user"))
                .weight(1).pause(Duration.ofMinutes(5)).check("error-rate")
                .weight(10).pause(Duration.ofMinutes(10)).check("error-rate")
                .weight(50).gate("go-live", Duration.ofHours(1))
                .build();
        Canary byServers = Canary.builder()
                .servers(1).pause(Duration.ofMinutes(5))
                .servers(2).hook("warm-caches")
                .build();
        Plan sticky = canary.plan(launching(evenOld(4)));
        assertEquals(List.of("canary 1%", "canary 10%", "canary 50%", "promote", "remove old"), labels(sticky));
        Plan servers = byServers.plan(launching(evenOld(4)));
        assertEquals(List.of("canary 1 of 4 servers (25%)", "canary 2 of 4 servers (50%)", "promote", "remove old"),
                labels(servers));
    }

    @Test
    void rollingSnippetsPlan() {
        Rolling rolling = Rolling.builder()
                .batchPercent(25)
                .maxSurgePercent(25)
                .minHealthyPercent(100)
                .startFirst()
                .pauseBetweenBatches(Duration.ofSeconds(30))
                .checkBetweenBatches("error-rate")
                .build();
        Rolling fixedCapacity = Rolling.builder().stopFirst().maxUnavailable(1).build();
        assertEquals(3, rolling.batchSize(10));
        assertEquals(1, fixedCapacity.batchSize(10));
        assertEquals(8, labels(rolling.plan(launching(evenOld(10)))).size());
        DeploymentSpec inPlace = DeploymentSpec.builder("svc", "v2").targets(List.of(
                Target.of("n1", "v2", "127.0.0.1", 9101), Target.of("n2", "v2", "127.0.0.1", 9102))).build();
        Plan plan = fixedCapacity.plan(ctx(inPlace, evenOld(2), FULL, false));
        assertEquals(List.of("batch 1/2 out", "batch 1/2 remove old", "batch 1/2 in", "batch 2/2 out",
                "batch 2/2 remove old", "batch 2/2 in"), labels(plan));
    }

    private static List<String> labels(Plan plan) {
        return plan.steps().stream().filter(s -> s instanceof Step.ShiftTraffic).map(s -> ((Step.ShiftTraffic) s).label())
                .toList();
    }
}
