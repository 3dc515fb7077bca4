package dev.zdd.core.router;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Passive outlier detection and retries of idempotent calls in the in-process router (issue 12). */
class OutlierDetectionTest {
    final VirtualScheduler time = new VirtualScheduler();
    final Target a = Target.of("a", "v1", "10.0.0.1", 80);
    final Target b = Target.of("b", "v1", "10.0.0.2", 80);
    final Target c = Target.of("c", "v1", "10.0.0.3", 80);
    final Set<String> down = new java.util.HashSet<>();

    InProcessRouter router(OutlierDetection.Builder od) {
        InProcessRouter r = InProcessRouter.builder().outlierDetection(od.clock(time).build()).build();
        r.apply(Routing.evenly(java.util.List.of(a, b, c)));
        return r;
    }

    String send(InProcessRouter r, boolean idempotent) throws Exception {
        return r.call(RequestInfo.EMPTY, idempotent, t -> {
            if (down.contains(t.id())) {
                throw new IOException("connection refused by " + t.id());
            }
            return t.id();
        });
    }

    @Test
    void consecutiveFailuresEjectForAGrowingTimeThenTheTargetComesBack() throws Exception {
        InProcessRouter r = router(OutlierDetection.builder().consecutiveFailures(3).baseEjectionTime(Duration.ofSeconds(10)));
        down.add("b");
        int failed = 0;
        for (int i = 0; i < 300; i++) {
            try {
                send(r, false);
            } catch (IOException e) {
                failed++;
            }
        }
        assertEquals(Set.of("b"), r.ejected());
        assertEquals(3, failed, "exactly the 3 failures that ejected b reached it");
        time.advance(Duration.ofSeconds(11));
        assertEquals(Set.of(), r.ejected(), "back after the base time");
        // still down: ejected again, now for twice the base time
        for (int i = 0; i < 300 && r.ejected().isEmpty(); i++) {
            try {
                send(r, false);
            } catch (IOException e) {
                // counted below
            }
        }
        assertEquals(Set.of("b"), r.ejected());
        time.advance(Duration.ofSeconds(11));
        assertEquals(Set.of("b"), r.ejected(), "the second ejection lasts 20 s");
        time.advance(Duration.ofSeconds(10));
        assertEquals(Set.of(), r.ejected());
        down.clear();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            seen.merge(send(r, false), 1, Integer::sum);
        }
        assertEquals(Set.of("a", "b", "c"), seen.keySet(), "b serves again: " + seen);
    }

    @Test
    void retriesIdempotentCallsOnAnotherTargetSoNoneIsLost() throws Exception {
        InProcessRouter r = router(OutlierDetection.builder().consecutiveFailures(5));
        down.add("c");
        for (int i = 0; i < 500; i++) {
            String served = send(r, true);
            assertTrue(!served.equals("c"), served);
        }
        assertEquals(Set.of("c"), r.ejected());
        assertEquals(5, r.requests().totals("c").errors(), "c was tried 5 times before it was ejected; each of those calls was retried");
    }

    @Test
    void neverEjectsMoreThanTheShareNorTheLastTargetOfAVersion() throws Exception {
        InProcessRouter r = router(OutlierDetection.builder().consecutiveFailures(1).maxEjectionPercent(50));
        down.addAll(Set.of("a", "b", "c"));
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            try {
                send(r, false);
            } catch (IOException e) {
                failed.incrementAndGet();
            }
        }
        assertEquals(1, r.ejected().size(), "50 % of 3 is 1: " + r.ejected());
        InProcessRouter single = InProcessRouter.builder().outlierDetection(OutlierDetection.builder().clock(time)
                .consecutiveFailures(1).maxEjectionPercent(100).build()).build();
        single.apply(Routing.of(Route.active(a, 5000), Route.active(Target.of("g", "v2", "10.0.0.9", 80), 5000)));
        down.add("g");
        for (int i = 0; i < 50; i++) {
            try {
                send(single, false);
            } catch (IOException e) {
                // expected
            }
        }
        assertEquals(Set.of(), single.ejected().stream().filter(id -> !id.equals("a")).collect(java.util.stream.Collectors.toSet()),
                "g is the only v2 target: never ejected");
        assertThrows(IllegalArgumentException.class, () -> OutlierDetection.builder().maxEjectionPercent(101));
        assertThrows(IllegalArgumentException.class, () -> OutlierDetection.builder().baseEjectionTime(Duration.ofMinutes(10)).build());
    }
}
