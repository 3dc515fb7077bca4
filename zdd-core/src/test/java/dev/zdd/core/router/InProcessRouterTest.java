package dev.zdd.core.router;

import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Choice, stickiness, rules, drain and statistics of {@link InProcessRouter}. */
class InProcessRouterTest {
    private static final Target A1 = Target.of("a1", "1", "127.0.0.1", 9001);
    private static final Target A2 = Target.of("a2", "1", "127.0.0.1", 9002);
    private static final Target B1 = Target.of("b1", "2", "127.0.0.1", 9003);
    private static final Target B2 = Target.of("b2", "2", "127.0.0.1", 9004);
    private static final RequestKey USER = RequestKey.attribute("user");

    @Test
    void emptyRouterChoosesNothing() {
        InProcessRouter r = InProcessRouter.create();
        assertSame(Routing.EMPTY, r.current());
        assertTrue(r.choose(RequestInfo.EMPTY).isEmpty());
        RouterException e = assertThrows(RouterException.class, () -> r.acquire(RequestInfo.EMPTY));
        assertEquals("in-process router: no serving target for the request (table Routing[])", e.getMessage());
    }

    @Test
    void currentReturnsExactlyWhatWasApplied() {
        InProcessRouter r = InProcessRouter.create();
        Routing t = Routing.of(Route.active(A1, 3), Route.draining(B1)).withStickiness(Stickiness.on(USER));
        r.apply(t);
        assertSame(t, r.current());
        assertEquals(InProcessRouter.CAPABILITIES, r.capabilities());
        assertEquals(Map.of("a1", 0, "b1", 0), r.activeConnections());
    }

    @Test
    void weightedSplitWithinTolerance() {
        InProcessRouter r = InProcessRouter.create();
        r.apply(Routing.of(Route.active(A1, 2000), Route.active(A2, 3000), Route.active(B1, 5000), Route.disabled(B2)));
        Map<String, Integer> counts = new HashMap<>();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            counts.merge(r.choose(RequestInfo.EMPTY).orElseThrow().id(), 1, Integer::sum);
        }
        assertEquals(0.20, counts.get("a1") / (double) n, 0.015, counts.toString());
        assertEquals(0.30, counts.get("a2") / (double) n, 0.015, counts.toString());
        assertEquals(0.50, counts.get("b1") / (double) n, 0.015, counts.toString());
        assertEquals(null, counts.get("b2"));
    }

    @Test
    void stickyKeysStayAndGrowingShareNeverMovesAKeyBack() {
        InProcessRouter r = InProcessRouter.create();
        int keys = 4000;
        boolean[] onNew = new boolean[keys];
        for (int pct = 1; pct <= 100; pct++) {
            int w = pct * 100;
            // the new version (2) is listed first, as strategies do
            r.apply(Routing.of(Route.active(B1, w / 2), Route.active(B2, w - w / 2), Route.active(A1, 10_000 - w))
                    .withStickiness(Stickiness.on(USER)));
            int countNew = 0;
            for (int k = 0; k < keys; k++) {
                RequestInfo req = RequestInfo.ofAttribute("user", "user-" + k);
                Target t = r.choose(req).orElseThrow();
                assertEquals(t, r.choose(req).orElseThrow(), "same key, same table, same target");
                boolean isNew = t.version().equals("2");
                if (onNew[k]) {
                    assertTrue(isNew, "user-" + k + " moved back to version 1 at " + pct + "%");
                }
                onNew[k] = isNew;
                countNew += isNew ? 1 : 0;
            }
            assertEquals(pct / 100.0, countNew / (double) keys, 0.03, "share of keys on version 2 at " + pct + "%");
        }
    }

    @Test
    void stickyChoiceInsideVersionIsStableAndRequestsWithoutKeyAreRandom() {
        InProcessRouter r = InProcessRouter.create();
        r.apply(Routing.of(Route.active(B1, 5000), Route.active(B2, 5000)).withStickiness(Stickiness.on(RequestKey.header("X-User"))));
        Map<String, Integer> perTarget = new HashMap<>();
        for (int k = 0; k < 2000; k++) {
            RequestInfo req = RequestInfo.builder().header("x-user", "k" + k).build();
            String id = r.choose(req).orElseThrow().id();
            for (int again = 0; again < 3; again++) {
                assertEquals(id, r.choose(req).orElseThrow().id());
            }
            perTarget.merge(id, 1, Integer::sum);
        }
        assertEquals(0.5, perTarget.get("b1") / 2000.0, 0.05, perTarget.toString());
        Map<String, Integer> noKey = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            noKey.merge(r.choose(RequestInfo.EMPTY).orElseThrow().id(), 1, Integer::sum);
        }
        assertEquals(2, noKey.size(), noKey.toString());
    }

    @Test
    void rulesComeFirstAndFallThroughWhenTheirVersionDoesNotServe() {
        InProcessRouter r = InProcessRouter.create();
        Rule testers = Rule.match(USER, Set.of("alice", "carol"), "2");
        r.apply(Routing.of(Route.active(A1, 9999), Route.active(B1, 1)).withRules(List.of(testers)));
        for (int i = 0; i < 500; i++) {
            assertEquals("b1", r.choose(RequestInfo.ofAttribute("user", "alice")).orElseThrow().id());
        }
        int bobOnB = 0;
        for (int i = 0; i < 500; i++) {
            bobOnB += r.choose(RequestInfo.ofAttribute("user", "bob")).orElseThrow().id().equals("b1") ? 1 : 0;
        }
        assertTrue(bobOnB < 20, "bob should get the weighted choice, got b1 " + bobOnB + " times");
        r.apply(Routing.of(Route.active(A1, 10_000), Route.disabled(B1)).withRules(List.of(testers)));
        assertEquals("a1", r.choose(RequestInfo.ofAttribute("user", "alice")).orElseThrow().id());
    }

    @Test
    void ruleReachesAVersionWithNoWeightedShareLikeABlueGreenPreview() {
        InProcessRouter r = InProcessRouter.create();
        Rule preview = Rule.match(RequestKey.header("X-Preview"), Set.of("1"), "2");
        r.apply(Routing.of(Route.active(A1, 10_000), Route.active(B1, 0)).withRules(List.of(preview)));
        for (int i = 0; i < 200; i++) {
            assertEquals("b1", r.choose(RequestInfo.builder().header("X-Preview", "1").build()).orElseThrow().id());
            assertEquals("a1", r.choose(RequestInfo.EMPTY).orElseThrow().id());
        }
    }

    @Test
    void drainingTargetGetsNoNewRequestsWhileLeasesFinish() {
        InProcessRouter r = InProcessRouter.create();
        r.apply(Routing.of(Route.active(A1, 5000), Route.active(B1, 5000)));
        InProcessRouter.Lease onB = null;
        for (int i = 0; i < 1000 && onB == null; i++) {
            InProcessRouter.Lease l = r.acquire(RequestInfo.EMPTY);
            if (l.target().equals(B1)) {
                onB = l;
            } else {
                l.complete(true, Duration.ofMillis(2));
            }
        }
        assertTrue(onB != null, "b1 was never chosen in 1000 tries");
        r.apply(Routing.of(Route.active(A1, 10_000), Route.draining(B1)));
        for (int i = 0; i < 1000; i++) {
            try (InProcessRouter.Lease l = r.acquire(RequestInfo.EMPTY)) {
                assertEquals(A1, l.target());
                l.complete(true, Duration.ofMillis(1));
            }
        }
        assertEquals(1, r.activeConnections().get("b1"));
        assertEquals(0, r.activeConnections().get("a1"));
        onB.complete(true, Duration.ofMillis(7));
        onB.close(); // no second count
        assertEquals(0, r.activeConnections().get("b1"));
        assertEquals(1, r.requests().totals("b1").requests());
        // removed from the table while a lease is open: still reported until it finishes, then forgotten
        InProcessRouter.Lease onA = r.acquire(RequestInfo.EMPTY);
        r.apply(Routing.of(Route.active(B1, 10_000)));
        assertEquals(Map.of("b1", 0, "a1", 1), r.activeConnections());
        onA.close();
        assertEquals(Map.of("b1", 0), r.activeConnections());
    }

    @Test
    void leasesRecordRequestsErrorsAndLatenciesInTheRoutersOneRequestRecorder() {
        InProcessRouter r = InProcessRouter.create();
        r.apply(Routing.of(Route.active(A1, 10_000)));
        for (int i = 1; i <= 200; i++) {
            InProcessRouter.Lease l = r.acquire(RequestInfo.EMPTY);
            l.complete(i % 10 != 0, Duration.ofMillis(i));
        }
        try (InProcessRouter.Lease l = r.acquire(RequestInfo.EMPTY)) {
            assertEquals(A1, l.target());
            assertEquals(1, r.activeConnections().get("a1"));
            assertEquals(200, r.requests().totals("a1").requests(), "in flight is not completed");
            // closed without complete: counts as an error (the call threw)
        }
        dev.zdd.core.analysis.RequestTotals t = r.requests().totals("a1");
        assertEquals(201, t.requests());
        assertEquals(21, t.errors());
        assertEquals(0, r.activeConnections().get("a1"));
        // the latency histogram of all of them (1..200 ms and the abandoned one, ~0 ms): the median near 100 ms
        double p50 = t.latencyQuantileMillis(0.5);
        assertTrue(p50 > 75 && p50 <= 125, "p50 " + p50);
        assertSame(r.requests(), r.requests(), "one counting per router");
    }

    @Test
    void builderValidates() {
        assertThrows(IllegalArgumentException.class, () -> InProcessRouter.builder().name("bad\nname"));
        assertThrows(NullPointerException.class, () -> InProcessRouter.create().apply(null));
    }
}
