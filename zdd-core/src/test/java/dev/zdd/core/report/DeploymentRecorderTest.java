package dev.zdd.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdd.api.CheckResult;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentEvent.Type;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentRecorderTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final Target A = Target.of("app-1", "v1", "127.0.0.1", 8080);
    static final Target B = Target.of("app-2", "v2", "127.0.0.1", 8081);

    static DeploymentEvent ev(String id, Type type, int sec, String step, String msg) {
        return new DeploymentEvent(id, type, T0.plusSeconds(sec), -1, step, msg);
    }

    /** A canary that the analysis rolls back at 25%. */
    static DeploymentRecorder canaryRolledBack() {
        DeploymentRecorder r = new DeploymentRecorder();
        r.onEvent(ev("d-42", Type.STARTED, 0, "", "plan (canary), 12 steps"));
        r.onEvent(ev("d-42", Type.PROBE_RESULT, 1, "await healthy app-2", "app-2 HEALTHY"));
        r.onEvent(ev("d-42", Type.PROBE_RESULT, 2, "await healthy app-2", "app-2 UNHEALTHY: 503"));
        r.onEvent(ev("d-42", Type.PROBE_RESULT, 3, "await healthy app-2", "app-2 HEALTHY"));
        r.onEvent(ev("d-42", Type.ROUTING_APPLIED, 5, "shift traffic [canary 10%]", Routing.of(Route.active(A, 9000), Route.active(B, 1000)).toString()));
        r.onEvent(ev("d-42", Type.CHECK_RESULT, 5, "check 'canary-health'", "PASS canary-health: window opened; error-rate=NaN"));
        r.onEvent(ev("d-42", Type.CHECK_RESULT, 65, "check 'canary-health'", "PASS canary-health: measurement 1/3 error-rate=0.002 error-rate.requests=510"));
        r.onEvent(ev("d-42", Type.ROUTING_APPLIED, 66, "shift traffic [canary 25%]", Routing.of(Route.active(A, 7500), Route.active(B, 2500)).toString()));
        r.onEvent(ev("d-42", Type.CHECK_RESULT, 126, "check 'canary-health'", "INCONCLUSIVE canary-health: measurement 2/3 error-rate=NaN error-rate.requests=0"));
        r.onEvent(ev("d-42", Type.CHECK_RESULT, 186, "check 'canary-health'", "FAIL canary-health: error-rate=0.05 > 0.01 over 1200 requests error-rate.requests=1200"));
        r.onEvent(ev("d-42", Type.STEP_FAILED, 186, "check 'canary-health'", "FAIL canary-health: error-rate=0.05 > 0.01"));
        r.onEvent(ev("d-42", Type.ROLLBACK_STARTED, 186, "", "check 'canary-health' failed: error-rate=0.05 > 0.01"));
        r.onEvent(ev("d-42", Type.ROUTING_APPLIED, 187, "rollback", Routing.of(Route.active(A, 10000), Route.disabled(B)).toString()));
        r.onEvent(ev("other", Type.STARTED, 188, "", "another deployment: ignored"));
        r.onEvent(ev("d-42", Type.FINISHED, 190, "", "ROLLED_BACK"));
        return r;
    }

    @Test
    void timelineHasTrafficSharesVerdictsProbesAndTheEnd() {
        DeploymentTimeline t = canaryRolledBack().timeline();
        assertEquals("d-42", t.deploymentId());
        assertEquals("ROLLED_BACK", t.status());
        assertEquals(T0, t.startedAt());
        assertEquals(T0.plusSeconds(190), t.finishedAt());
        assertEquals(3, t.traffic().size());
        assertEquals(Map.of("v1", 0.9, "v2", 0.1), t.traffic().get(0).shares());
        assertEquals(Map.of("v1", 0.75, "v2", 0.25), t.traffic().get(1).shares());
        assertEquals(Map.of("v1", 1.0), t.traffic().get(2).shares());
        assertEquals(3, t.probes().size());
        assertEquals(List.of(true, false, true), t.probes().stream().map(DeploymentTimeline.ProbeMark::healthy).toList());
        assertEquals("app-2", t.probes().get(0).target());
        assertEquals(4, t.checks().size());
        DeploymentTimeline.CheckMark fail = t.checks().get(3);
        assertEquals("FAIL", fail.verdict());
        assertEquals("canary-health", fail.name());
        assertEquals(0.05, fail.measurements().get("error-rate"));
        assertEquals(1200.0, fail.measurements().get("error-rate.requests"));
        assertTrue(Double.isNaN(t.checks().get(0).measurements().get("error-rate")));
    }

    @Test
    void jsonIsValidAndCarriesEverything() throws Exception {
        DeploymentRecorder r = canaryRolledBack();
        r.check(T0.plusSeconds(189), "exact", new CheckResult(CheckResult.Verdict.PASS, "direct", Map.of("x", 1.5, "y", Double.NaN)));
        JsonNode root = new ObjectMapper().readTree(r.toJson());
        assertEquals("ROLLED_BACK", root.get("status").asText());
        assertEquals(0.25, root.get("traffic").get(1).get("shares").get("v2").asDouble());
        assertEquals("FAIL", root.get("checks").get(3).get("verdict").asText());
        assertEquals(1.5, root.get("checks").get(4).get("measurements").get("x").asDouble());
        assertTrue(root.get("checks").get(4).get("measurements").get("y").isNull(), "NaN is written as null");
        assertEquals("ROLLBACK_STARTED", root.get("milestones").get(2).get("type").asText());
    }

    @Test
    void svgIsWellFormedSelfContainedAndEscapesText(@TempDir Path dir) throws Exception {
        DeploymentRecorder r = canaryRolledBack();
        r.onEvent(ev("d-42", Type.PAUSED, 189, "", "paused by <script>alert(1)</script> & co"));
        String svg = r.toSvg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertFalse(svg.contains("<script"), "no scripts, and user text is escaped");
        assertFalse(svg.contains("href"), "no external resources");
        assertTrue(svg.contains("ROLLED_BACK"));
        assertTrue(svg.contains("v2 25%"), "share labels");
        assertTrue(svg.contains("last FAIL: FAIL canary-health: error-rate=0.05 &gt; 0.01"), "failure reason in the footer");
        List<Path> files = r.writeTo(dir, "d-42");
        assertEquals(List.of(dir.resolve("d-42.json"), dir.resolve("d-42.svg")), files);
        assertEquals(svg, Files.readString(files.get(1)));
        // a copy a person can open: target/reports/canary-rolled-back.svg
        canaryRolledBack().writeTo(Path.of("target", "reports"), "canary-rolled-back");
    }

    @Test
    void badReportNamesAreRejected(@TempDir Path dir) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new DeploymentRecorder().writeTo(dir, "../x"));
        assertTrue(e.getMessage().contains("'../x'"), e.getMessage());
    }

    @Test
    void emptyRecorderRendersToo() throws Exception {
        DeploymentRecorder r = new DeploymentRecorder();
        assertEquals("RUNNING", r.timeline().status());
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(r.toSvg().getBytes(StandardCharsets.UTF_8)));
        assertEquals("RUNNING", new ObjectMapper().readTree(r.toJson()).get("status").asText());
    }
}
