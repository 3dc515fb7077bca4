package dev.zdd.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shares compared and refused by the router's granularity ({@link RouterCapabilities#maxWeight()}). */
class ShareGranularityTest {
    private static final Target V1 = Target.of("v1-1", "v1", "127.0.0.1", 8081);
    private static final Target V2 = Target.of("v2-1", "v2", "127.0.0.1", 8082);

    private static Routing canary(int v2) {
        return Routing.of(Route.active(V1, Routing.MAX_WEIGHT - v2), Route.active(V2, v2));
    }

    @Test
    void aHalfPercentStepOnMaxWeight100IsRefusedNamingTheGranularity() {
        RouterCapabilities hundred = new RouterCapabilities(100, true, false, false, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hundred.check("router r", canary(50)));
        assertTrue(e.getMessage().contains("router r cannot serve a share of 0.50% for version v2 within 20%")
                && e.getMessage().contains("granularity is weight 1 of 100") && e.getMessage().contains("0.99%"),
                e.getMessage());
        hundred.check("router r", canary(100)); // 1%: 1 of 100 next to 99 -> 0.99%, fine
        RouterCapabilities haproxy = new RouterCapabilities(256, true, false, false, false);
        haproxy.check("haproxy", canary(100)); // 1.16%: within 20%
        assertThrows(IllegalArgumentException.class, () -> haproxy.check("haproxy", canary(50)));
        RouterCapabilities.WEIGHTS_ONLY.check("fine", canary(1)); // 0.01% on 10000
    }

    @Test
    void sharesAreComparedWithinTheRoutersGranularity() {
        Routing asked = canary(50);
        Routing servedAt100 = Routing.of(Route.active(V1, 100), Route.active(V2, 1));
        assertTrue(asked.sameTrafficAs(servedAt100), "the unknown-router comparison is loose (0.5 points)");
        assertFalse(asked.sameTrafficAs(servedAt100, Routing.MAX_WEIGHT), "0.5% is not 0.99% on the finest scale");
        assertTrue(asked.sameTrafficAs(servedAt100, 100), "on a scale of 100 they are the same table");
        Routing onePercent = canary(100);
        Routing haproxyReadBack = Routing.of(Route.active(V1, 256), Route.active(V2, 3));
        assertTrue(onePercent.sameTrafficAs(haproxyReadBack, 256));
        assertFalse(onePercent.sameTrafficAs(Routing.of(Route.active(V1, 256), Route.active(V2, 7)), 256));
        assertTrue(onePercent.sameTrafficAs(onePercent, Routing.MAX_WEIGHT));
        assertFalse(onePercent.sameTrafficAs(canary(105), Routing.MAX_WEIGHT));
        assertThrows(IllegalArgumentException.class, () -> onePercent.sameTrafficAs(onePercent, 0));
    }
}
