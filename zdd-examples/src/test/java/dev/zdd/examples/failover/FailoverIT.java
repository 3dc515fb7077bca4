package dev.zdd.examples.failover;

import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.examples.Args;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The failover scenario, shortened: behaviour only (nothing left out of rotation, no idempotent call lost, rollback). */
class FailoverIT {
    @Test
    @SuppressWarnings("unchecked")
    void everySetupRecoversAndTheVerificationWindowRollsBack() throws Exception {
        Optional<String> missing = IntegrationEnvironment.whyUnavailable("apt-get install haproxy busybox-static",
                "haproxy", "busybox");
        assumeTrue(missing.isEmpty(), missing.orElse(""));
        Map<String, Object> report = new Failover().run(Args.parse(List.of("--down", "1500", "--after", "2000")));
        List<Map<String, Object>> setups = (List<Map<String, Object>>) report.get("setups");
        assertEquals(3, setups.size());
        for (Map<String, Object> s : setups) {
            assertEquals(List.of(), s.get("leftOut"), s.toString());
            assertTrue(((Number) s.get("outOfRotationMs")).longValue() >= 0, "taken out of rotation: " + s);
            assertTrue(((Number) s.get("reinstateMs")).longValue() >= 0, "traffic again after the restart: " + s);
        }
        assertEquals(0L, ((Number) setups.get(0).get("failed")).longValue(), "idempotent calls with retries: " + setups.get(0));
        Map<String, Object> v = (Map<String, Object>) report.get("verification");
        assertEquals("ROLLED_BACK", v.get("status"), v.toString());
        assertTrue(((Number) v.get("failureToOldColourMs")).longValue() > 0, v.toString());
    }
}
