package dev.zdd.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdd.api.CheckResult;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.HealthResult;
import dev.zdd.api.Plan;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome.Outcome;
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

    static final Routing BEFORE = Routing.of(Route.active(A, 10000));

    static Instant at(int sec) {
        return T0.plusSeconds(sec);
    }

    static DeploymentEvent.CheckVerdict verdict(int sec, CheckResult.Verdict v, String detail, Map<String, Double> values) {
        return new DeploymentEvent.CheckVerdict("d-42", at(sec), 6, "canary-health", new CheckResult(v, detail, values));
    }

    /** A canary that the analysis rolls back at 25%. */
    static DeploymentRecorder canaryRolledBack() {
        DeploymentRecorder r = new DeploymentRecorder();
        Plan plan = new Plan("canary", List.of(new Step.Launch("app-2", "v2", Map.of()),
                new Step.AwaitHealthy(List.of("app-2")), new Step.Check("canary-health")));
        r.onEvent(new DeploymentEvent.Started("d-42", at(0), "shop", "v2", plan, BEFORE, false, ""));
        r.onEvent(new DeploymentEvent.ProbeResult("d-42", at(1), 1, B, HealthResult.healthy()));
        r.onEvent(new DeploymentEvent.ProbeResult("d-42", at(2), 1, B, HealthResult.unhealthy("503")));
        r.onEvent(new DeploymentEvent.ProbeResult("d-42", at(3), 1, B, HealthResult.healthy()));
        r.onEvent(new DeploymentEvent.RoutingApplied("d-42", at(5), 2, "canary 10%",
                Routing.of(Route.active(A, 9000), Route.active(B, 1000))));
        r.onEvent(verdict(5, CheckResult.Verdict.PASS, "window opened", Map.of("error-rate", Double.NaN)));
        r.onEvent(verdict(65, CheckResult.Verdict.PASS, "measurement 1/3",
                Map.of("error-rate", 0.002, "error-rate.requests", 510.0)));
        r.onEvent(new DeploymentEvent.RoutingApplied("d-42", at(66), 4, "canary 25%",
                Routing.of(Route.active(A, 7500), Route.active(B, 2500))));
        r.onEvent(verdict(126, CheckResult.Verdict.INCONCLUSIVE, "measurement 2/3",
                Map.of("error-rate", Double.NaN, "error-rate.requests", 0.0)));
        r.onEvent(verdict(186, CheckResult.Verdict.FAIL, "error-rate=0.05 > 0.01 over 1200 requests",
                Map.of("error-rate", 0.05, "error-rate.requests", 1200.0)));
        r.onEvent(new DeploymentEvent.StepEnded("d-42", at(186), 6, "check 'canary-health'", Outcome.FAILED,
                "check 'canary-health': FAIL - error-rate=0.05 > 0.01"));
        r.onEvent(new DeploymentEvent.RollbackStarted("d-42", at(186),
                "check 'canary-health' failed: error-rate=0.05 > 0.01"));
        r.onEvent(new DeploymentEvent.RoutingApplied("d-42", at(187), -1, "rollback",
                Routing.of(Route.active(A, 10000), Route.disabled(B))));
        r.onEvent(new DeploymentEvent.Started("other", at(188), "shop", "v3", plan, BEFORE, false,
                "another deployment: ignored"));
        r.onEvent(new DeploymentEvent.Finished("d-42", at(190), new DeploymentResult("d-42", "shop", "v2",
                DeploymentStatus.ROLLED_BACK, "check 'canary-health' failed", at(0), at(190), BEFORE, BEFORE, List.of(B),
                List.of(B), List.of(), List.of())));
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
        assertEquals(List.of(DeploymentEvent.Kind.STARTED, DeploymentEvent.Kind.STEP_ENDED,
                DeploymentEvent.Kind.ROLLBACK_STARTED, DeploymentEvent.Kind.FINISHED),
                t.milestones().stream().map(DeploymentTimeline.Milestone::kind).toList());
        assertEquals(List.of(false, true, false, false),
                t.milestones().stream().map(DeploymentTimeline.Milestone::failed).toList());
        assertEquals("canary 25%", t.traffic().get(1).label());
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
        r.onEvent(new DeploymentEvent.Paused("d-42", at(189), 6, "paused by <script>alert(1)</script> & co"));
        String svg = r.toSvg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertFalse(svg.contains("<script"), "no scripts, and user text is escaped");
        assertFalse(svg.contains("href"), "no external resources");
        assertTrue(svg.contains("ROLLED_BACK"));
        assertTrue(svg.contains("v2 25%"), "share labels");
        assertTrue(svg.contains("last FAIL: error-rate=0.05 &gt; 0.01"), "failure reason in the footer");
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
