package dev.zdd.core.testing;

import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.router.InProcessRouter;
import dev.zdd.core.router.RequestInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RouterConformance} passes a correct router and catches deliberately broken ones with a precise message. */
class RouterConformanceTest {
    private static final Target A = Target.of("a", "1", "127.0.0.1", 9301);
    private static final Target B = Target.of("b", "2", "127.0.0.1", 9302);
    private static final Target C = Target.of("c", "2", "127.0.0.1", 9303);
    private static final List<Target> TARGETS = List.of(A, B, C);

    /** Stores what it is given after a transformation: the transformation is the bug. */
    private static final class Broken implements TrafficRouter {
        private final RouterCapabilities caps;
        private final UnaryOperator<Routing> bug;
        private volatile Routing current = Routing.EMPTY;

        Broken(RouterCapabilities caps, UnaryOperator<Routing> bug) {
            this.caps = caps;
            this.bug = bug;
        }

        @Override
        public void apply(Routing routing) {
            current = bug.apply(routing);
        }

        @Override
        public Routing current() {
            return current;
        }

        @Override
        public RouterCapabilities capabilities() {
            return caps;
        }
    }

    private static final RouterCapabilities ALL = InProcessRouter.CAPABILITIES;

    /** A new object over the same router. */
    private record Forwarding(TrafficRouter inner) implements TrafficRouter {
        @Override
        public void apply(Routing routing) {
            inner.apply(routing);
        }

        @Override
        public Routing current() {
            return inner.current();
        }

        @Override
        public RouterCapabilities capabilities() {
            return inner.capabilities();
        }
    }

    @Test
    void routerThatDropsAttributesFails() {
        Broken dropping = new Broken(ALL, r -> Routing.of(r.routes().stream().map(x -> new Route(new Target(x.target().id(),
                x.target().version(), x.target().endpoint(), java.util.Map.of()), x.weight(), x.state())).toList())
                .withStickiness(r.stickiness()).withRules(r.rules()));
        List<Target> coloured = List.of(A.withAttribute(Target.COLOUR, "blue"), B, C);
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(dropping, coloured));
        assertTrue(e.getMessage().contains("[one target]") && e.getMessage().contains("attributes {colour=blue}")
                && e.getMessage().contains("ids, versions and attributes must survive"), e.getMessage());
    }

    /** Declares weights 1 to 10000 but serves (and reports) no weight below 1% of the largest: 0.5% becomes 1 of 101. */
    @Test
    void routerTooCoarseForACanaryStepFails() {
        Broken coarse = new Broken(ALL, r -> {
            int max = r.routes().stream().filter(Route::serving).mapToInt(Route::weight).max().orElse(1);
            return new Routing(r.routes().stream().map(x -> x.serving()
                    ? new Route(x.target(), Math.max(x.weight(), max / 100), x.state()) : x).toList(), r.stickiness(),
                    r.rules());
        });
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(coarse, TARGETS));
        assertTrue(e.getMessage().startsWith("[canary step 0.5%]"), e.getMessage());
    }

    @Test
    void aCanaryStepTheDeclaredScaleCannotServeMustBeRefused() {
        // declares maxWeight 100 (so 0.5% is refused by the capabilities) but accepts and rounds it anyway
        Broken lax = new Broken(new RouterCapabilities(100, true, true, true, false), r -> {
            java.util.Map<String, Integer> scaled = r.scaledWeights(100);
            return new Routing(r.routes().stream().map(x -> x.serving()
                    ? new Route(x.target(), scaled.get(x.target().id()), x.state()) : x).toList(), r.stickiness(),
                    r.rules());
        });
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(lax, TARGETS));
        assertTrue(e.getMessage().startsWith("[canary step 0.5%]") && e.getMessage().contains("refuse what the router"
                + " cannot do"), e.getMessage());
    }

    @Test
    void routerThatForgetsEverythingInANewInstanceFailsTheNewInstanceRound() {
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(InProcessRouter.create(),
                TARGETS, RouterConformance.Options.builder().newInstance(InProcessRouter::create).build()));
        assertTrue(e.getMessage().startsWith("[new instance] InProcessRouter: after apply(")
                && e.getMessage().contains("a fresh router's current() returned Routing[]"), e.getMessage());
    }

    @Test
    void freshRouterThatLeavesOmittedTargetsServingFailsTheNewInstanceRound() {
        // all instances share the files (one routing), but a fresh instance only ever adds: it never turns off
        java.util.concurrent.atomic.AtomicReference<Routing> shared = new java.util.concurrent.atomic.AtomicReference<>(Routing.EMPTY);
        class AddOnly implements TrafficRouter {
            boolean fresh = true;

            @Override
            public void apply(Routing routing) {
                if (fresh && !shared.get().routes().isEmpty()) {
                    List<Route> merged = new ArrayList<>(routing.routes());
                    java.util.Set<String> ids = new java.util.HashSet<>();
                    routing.routes().forEach(r -> ids.add(r.target().id()));
                    shared.get().routes().stream().filter(r -> !ids.contains(r.target().id())).forEach(merged::add);
                    shared.set(Routing.of(merged));
                } else {
                    shared.set(routing);
                }
            }

            @Override
            public Routing current() {
                return shared.get();
            }

            @Override
            public RouterCapabilities capabilities() {
                return ALL;
            }
        }
        AddOnly first = new AddOnly();
        first.fresh = false;
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(first, TARGETS,
                RouterConformance.Options.builder().newInstance(AddOnly::new).build()));
        assertTrue(e.getMessage().contains("targets the table omits must serve nothing"), e.getMessage());
    }

    @Test
    void inProcessRouterPassesWithADataPathVerifier() {
        InProcessRouter router = InProcessRouter.create();
        List<Routing> verified = new ArrayList<>();
        RouterConformance.Report report = RouterConformance.check(router, TARGETS, RouterConformance.Options.builder()
                .name("in-process").verifier(routing -> {
                    // the data path: what choose() really does must match the table's shares
                    Map<String, Integer> counts = new HashMap<>();
                    int n = 4000;
                    for (int i = 0; i < n; i++) {
                        counts.merge(router.choose(RequestInfo.EMPTY).orElseThrow().id(), 1, Integer::sum);
                    }
                    int total = routing.servingWeight();
                    for (Route r : routing.routes()) {
                        double expected = r.serving() ? (double) r.weight() / total : 0;
                        double seen = counts.getOrDefault(r.target().id(), 0) / (double) n;
                        if (Math.abs(expected - seen) > 0.04) {
                            throw new AssertionError(r.target().id() + " got " + seen + ", expected " + expected);
                        }
                    }
                    verified.add(routing);
                })
                // in-memory: its routing (and the traffic it routes) lives and dies with the application, so the only
                // "new instance" is a new deployer object in the same application holding the same router
                .newInstance(() -> new Forwarding(router)).build());
        assertEquals(List.of(), report.skipped().stream().filter(s -> !s.startsWith("inexpressible")).toList());
        assertTrue(report.passed().containsAll(List.of("one target", "idempotent", "switch", "even split", "uneven split",
                "drain", "back from drain", "stickiness", "rules", "rollback", "new instance")), report.toString());
        assertTrue(verified.size() >= 10, "verifier ran " + verified.size() + " times");
    }

    @Test
    void sameVersionTargetsSkipStickinessWithAReason() {
        RouterConformance.Report report = RouterConformance.check(InProcessRouter.create(),
                List.of(A, Target.of("a2", "1", "127.0.0.1", 9304)));
        assertEquals(List.of("inexpressible weight: maxWeight is 10000, every weight is expressible",
                "stickiness: all targets have version 1 (give targets of two versions)",
                "rules: all targets have version 1 (give targets of two versions)",
                "new instance: no Options.newInstance(supplier) given"), report.skipped());
    }

    @Test
    void routerThatIgnoresWeightsFails() {
        Broken evenAlways = new Broken(ALL, r -> r.servingWeight() == 0 ? r : Routing.of(r.routes().stream()
                .map(x -> x.serving() ? Route.active(x.target(), 1) : x).toList()).withStickiness(r.stickiness()).withRules(r.rules()));
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(evenAlways, TARGETS));
        assertEquals("[uneven split] Broken: after apply(Routing[a/1 1000, b/2 9000]) current() returned Routing[a/1 1, b/2 1]",
                e.getMessage());
    }

    @Test
    void routerThatDropsDeclaredStickinessFails() {
        Broken noSticky = new Broken(ALL, r -> r.withStickiness(null));
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(noSticky, TARGETS));
        assertEquals("[stickiness] Broken: after apply(Routing[b/2 5000, a/1 5000; sticky header:X-Zdd-Conformance]) "
                + "current() returned Routing[b/2 5000, a/1 5000]", e.getMessage());
    }

    @Test
    void routerThatSilentlyIgnoresAnUndeclaredFeatureFails() {
        Broken silent = new Broken(new RouterCapabilities(10_000, true, false, false, false), r -> r.withRules(List.of()));
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(silent, TARGETS));
        assertEquals("[rules] Broken: capabilities do not declare rules, yet apply(Routing[b/2 5000, a/1 5000; "
                + "header:X-Zdd-Conformance in [tester] -> 2]) was accepted and current() returned Routing[b/2 5000, a/1 5000]: "
                + "refuse what the router cannot do", e.getMessage());
    }

    @Test
    void routerWithStaleCurrentFails() {
        Routing[] first = new Routing[1];
        Broken stale = new Broken(ALL, r -> {
            if (first[0] == null) {
                first[0] = r;
            }
            return first[0];
        });
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(stale, TARGETS));
        assertEquals("[switch] Broken: after apply(Routing[b/2 10000, a/1 disabled]) current() returned Routing[a/1 10000]",
                e.getMessage());
    }

    @Test
    void routerWhoseStateAndWeightDisagreeFails() {
        Broken drainKeepsWeight = new Broken(ALL, r -> Routing.of(r.routes().stream()
                .map(x -> x.state() == RouteState.DRAINING ? new Route(x.target(), 5000, RouteState.DRAINING) : x).toList())
                .withStickiness(r.stickiness()).withRules(r.rules()));
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(drainKeepsWeight, TARGETS));
        assertEquals("[drain] Broken: current() returned Routing[b/2 10000, a/1 draining] where a is DRAINING with weight 5000 "
                + "(state and weight disagree)", e.getMessage());
    }

    @Test
    void routerThatForgetsToReactivateAfterDrainFails() {
        // the HAProxy trap: state and weight are independent; this router never takes a target out of DRAINING
        Map<String, RouteState> sticky = new HashMap<>();
        Broken stuck = new Broken(ALL, r -> {
            List<Route> out = new ArrayList<>();
            for (Route x : r.routes()) {
                if (x.state() == RouteState.DRAINING) {
                    sticky.put(x.target().id(), RouteState.DRAINING);
                }
                out.add(sticky.containsKey(x.target().id()) ? Route.draining(x.target()) : x);
            }
            return new Routing(out, r.stickiness(), r.rules());
        });
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(stuck, TARGETS));
        assertEquals("[back from drain] Broken: after apply(Routing[a/1 5000, b/2 5000]) current() returned "
                + "Routing[a/1 draining, b/2 5000]", e.getMessage());
    }

    @Test
    void verifierFailureIsReported() {
        AssertionError e = assertThrows(AssertionError.class, () -> RouterConformance.check(InProcessRouter.create(), TARGETS,
                RouterConformance.Options.builder().name("my-router").verifier(r -> {
                    throw new AssertionError("proxy still answers with version 1");
                }).build()));
        assertEquals("[one target] my-router: the verifier rejected the data path after apply(Routing[a/1 10000]): "
                + "proxy still answers with version 1", e.getMessage());
    }

    @Test
    void argumentsAreValidated() {
        InProcessRouter r = InProcessRouter.create();
        assertThrows(IllegalArgumentException.class, () -> RouterConformance.check(r, List.of(A)));
        assertThrows(IllegalArgumentException.class, () -> RouterConformance.check(r, List.of(A, A)));
        assertThrows(IllegalArgumentException.class, () -> RouterConformance.check(null, TARGETS));
    }
}
