package dev.zdd.core.journal;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Records using every kind of step and every routing feature. */
public final class JournalFixtures {
    static final Instant T0 = Instant.parse("2024-05-06T07:08:09.123456789Z");
    static final Target OLD1 = new Target("old-1", "1.0", dev.zdd.api.Endpoint.of("127.0.0.1", 8080), Map.of("colour", "blue"));
    static final Target OLD2 = Target.of("old-2", "1.0", "::1", 8081);
    static final Target NEW1 = new Target("new-1", "2.0", dev.zdd.api.Endpoint.of("localhost", 9090),
            Map.of("colour", "green", "zone", "a b é"));

    private JournalFixtures() {
    }

    static Plan plan() {
        return new Plan("canary", List.of(
                new Step.Launch("new-1", "2.0", Map.of("colour", "green")),
                new Step.AwaitHealthy(List.of("new-1")),
                new Step.ShiftTraffic("canary 10%", List.of(Step.Allocation.active("new-1", 1000),
                        Step.Allocation.active("old-1", 4500), Step.Allocation.active("old-2", 4500)),
                        Stickiness.on(RequestKey.cookie("sid")),
                        List.of(Rule.match(RequestKey.header("X-Tester"), Set.of("alice", "bob"), "2.0"))),
                new Step.Pause(Duration.ofMinutes(5)),
                new Step.Gate("approve", Duration.ofHours(1)),
                new Step.Check("error-rate"),
                new Step.Hook("notify"),
                new Step.PointOfNoReturn("schema migrated"),
                new Step.ShiftTraffic("all", List.of(Step.Allocation.active("new-1", 10000),
                        Step.Allocation.draining("old-1"), new Step.Allocation("old-2", 0, dev.zdd.api.RouteState.DISABLED)),
                        null, List.of()),
                new Step.Drain(List.of("old-1", "old-2"), Duration.ofSeconds(30)),
                new Step.Retire(List.of("old-1", "old-2"), Duration.ZERO)));
    }

    static Routing before() {
        return new Routing(List.of(Route.active(OLD1, 5000), Route.active(OLD2, 5000)),
                Stickiness.on(RequestKey.clientAddress()), List.of(Rule.match(RequestKey.attribute("user"), Set.of("u1"), "1.0")));
    }

    public static JournalRecord record() {
        DeploymentSpec spec = DeploymentSpec.builder("web", "2.0").instances(1).attributes(Map.of("colour", "green")).build();
        JournalRecord r = JournalRecord.start("web-2.0-abc-1", spec, plan(), before(), T0);
        r = r.stepStarted(0, T0.plusSeconds(1)).withLaunched(NEW1, T0.plusSeconds(2)).stepCompleted(0, T0.plusSeconds(2));
        r = r.stepStarted(2, T0.plusSeconds(3))
                .withRoutingApplied(Routing.of(Route.active(NEW1, 1000), Route.disabled(OLD1), Route.draining(OLD2)), T0.plusSeconds(4));
        return r.withRetired(OLD2, T0.plusSeconds(5)).withPointOfNoReturnPassed(T0.plusSeconds(6))
                .withStatus(DeploymentStatus.ROLLING_BACK, "check 'error-rate' failed: 5% > 1%\nsecond line", T0.plusSeconds(7));
    }
}
