package dev.zdd.core.probe;

import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.HealthStatus;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link CompositeProbe} combination rules. */
class CompositeProbeTest {
    private static final Target T = Target.of("a", "1", "127.0.0.1", 8081);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final HealthProbe UP = (t, d) -> HealthResult.healthy();
    private static final HealthProbe DOWN1 = (t, d) -> HealthResult.unhealthy("down one");
    private static final HealthProbe DOWN2 = (t, d) -> HealthResult.unhealthy("down two");
    private static final HealthProbe UNKNOWN = (t, d) -> HealthResult.unknown("starting");
    private static final HealthProbe THROWS = (t, d) -> {
        throw new IllegalStateException("boom");
    };

    @Test
    void all() throws Exception {
        assertEquals(HealthResult.healthy(), CompositeProbe.all(UP, UP).check(T, TIMEOUT));
        AtomicInteger calls = new AtomicInteger();
        HealthProbe counting = (t, d) -> {
            calls.incrementAndGet();
            return HealthResult.healthy();
        };
        assertEquals(HealthResult.unhealthy("down one"), CompositeProbe.all(UP, DOWN1, counting).check(T, TIMEOUT));
        assertEquals(0, calls.get(), "all() stops at the first unhealthy member");
        assertEquals(HealthResult.unknown("starting"), CompositeProbe.all(UP, UNKNOWN).check(T, TIMEOUT));
        HealthResult thrown = CompositeProbe.all(UP, THROWS).check(T, TIMEOUT);
        assertEquals(HealthStatus.UNHEALTHY, thrown.status());
        assertEquals(true, thrown.reason().endsWith(": boom"), thrown.reason());
    }

    @Test
    void any() throws Exception {
        assertEquals(HealthResult.healthy(), CompositeProbe.any(DOWN1, UP).check(T, TIMEOUT));
        assertEquals(HealthResult.unhealthy("down one; down two"), CompositeProbe.any(DOWN1, DOWN2).check(T, TIMEOUT));
        assertEquals(HealthResult.unknown("starting; down one"), CompositeProbe.any(DOWN1, UNKNOWN).check(T, TIMEOUT));
    }

    @Test
    void membersShareTheAttemptTimeout() throws Exception {
        HealthProbe slow = (t, d) -> {
            Thread.sleep(d.toMillis() + 50);
            return HealthResult.unknown("slow");
        };
        HealthResult r = CompositeProbe.all(slow, UP).check(T, Duration.ofMillis(100));
        assertEquals(HealthStatus.UNHEALTHY, r.status());
        assertEquals(true, r.reason().contains("not run: timed out after 100 ms"), r.reason());
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, CompositeProbe::all);
        assertThrows(IllegalArgumentException.class, () -> CompositeProbe.any(UP, null));
    }
}
