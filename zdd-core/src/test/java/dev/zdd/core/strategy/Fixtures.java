package dev.zdd.core.strategy;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.PlanContext;
import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Shared builders for the strategy plan tests. */
final class Fixtures {
    static final RouterCapabilities FULL = new RouterCapabilities(Routing.MAX_WEIGHT, true, true, true, true);

    private Fixtures() {
    }

    static Target target(String id, String version, int port) {
        return Target.of(id, version, "127.0.0.1", port);
    }

    static Target coloured(String id, String version, int port, String colour) {
        return new Target(id, version, dev.zdd.api.Endpoint.of("127.0.0.1", port), Map.of(Target.COLOUR, colour));
    }

    /** {@code n} targets {@code old-1..old-n} of v1, evenly weighted. */
    static Routing evenOld(int n) {
        List<Target> ts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ts.add(target("old-" + i, "v1", 9000 + i));
        }
        return Routing.evenly(ts);
    }

    static Routing routing(Route... routes) {
        return Routing.of(routes);
    }

    static DeploymentSpec spec() {
        return DeploymentSpec.builder("svc", "v2").build();
    }

    static PlanContext launching(Routing current) {
        return new PlanContext(spec(), current, FULL, true);
    }

    static PlanContext ctx(DeploymentSpec spec, Routing current, RouterCapabilities caps, boolean launcher) {
        return new PlanContext(spec, current, caps, launcher);
    }

    static Step.Launch launch(String id) {
        return new Step.Launch(id, "v2", Map.of());
    }

    static Step.Allocation active(String id, int weight) {
        return Step.Allocation.active(id, weight);
    }

    static Step.Allocation draining(String id) {
        return Step.Allocation.draining(id);
    }

    static Step.ShiftTraffic shift(String label, Step.Allocation... allocations) {
        return Step.ShiftTraffic.of(label, List.of(allocations));
    }
}
