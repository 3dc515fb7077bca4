package dev.zdd.examples.demo;

import dev.zdd.examples.Args;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the README's demo (shorter pauses) and checks what it promises: no failed request, and the broken v2 rolled back to v1. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void everyScenarioServesWithoutAFailedRequestAndTheBrokenCanaryIsRolledBack() throws Exception {
        Map<String, Object> report = new Demo().run(Args.parse(List.of("--pause", "400", "--clients", "4",
                "--timeline-dir", dir.toString())));
        List<Map<String, Object>> scenarios = (List<Map<String, Object>>) report.get("scenarios");

        assertEquals(List.of("blue-green", "sticky-canary", "rolling", "canary-rollback"),
                scenarios.stream().map(s -> s.get("scenario")).toList());
        for (Map<String, Object> s : scenarios) {
            assertEquals(0L, ((Number) s.get("failed")).longValue(), "failed requests in " + s);
            assertTrue(((Number) s.get("requests")).longValue() > 0, "no load in " + s);
        }
        assertEquals("SUCCEEDED", scenarios.get(0).get("status"));
        assertEquals("v2", scenarios.get(0).get("servingAfter"));
        assertEquals(true, scenarios.get(1).get("stickyUsersNeverMovedBack"));
        assertEquals("v2", scenarios.get(1).get("servingAfter"));
        assertEquals("v2", scenarios.get(2).get("servingAfter"));
        Map<String, Object> rollback = scenarios.get(3);
        assertEquals("ROLLED_BACK", rollback.get("status"));
        assertEquals("v1", rollback.get("servingAfter"));
        assertTrue(String.valueOf(rollback.get("reason")).contains("demo-v2-1 is unhealthy"), String.valueOf(rollback.get("reason")));
        assertTrue(rollback.get("rollbackLatencyMs") instanceof Number, "rollback latency measured: " + rollback);
        assertEquals(true, report.get("ok"));
        String svg = Files.readString(dir.resolve("demo-canary-rollback.svg"));
        assertTrue(svg.startsWith("<svg") || svg.startsWith("<?xml"), svg.substring(0, Math.min(80, svg.length())));
        assertTrue(svg.contains("v1") && svg.contains("v2"), "the rollback timeline shows both versions");
        assertTrue(svg.contains("ROLLED_BACK") || svg.contains("rolled back"), "the rollback timeline says how it ended");
        for (String name : List.of("blue-green", "sticky-canary", "rolling", "canary-rollback")) {
            assertTrue(Files.exists(dir.resolve("demo-" + name + ".json")), "timeline data of " + name);
        }
    }
}
