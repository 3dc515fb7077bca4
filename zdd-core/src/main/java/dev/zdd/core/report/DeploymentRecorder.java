package dev.zdd.core.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zdd.api.CheckResult;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.Routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link dev.zdd.api.DeploymentListener} that records a deployment for people: which share of traffic each version
 * had over time, probe answers, check verdicts with their values, steps, rollback and the end. It writes the record
 * as JSON ({@link #toJson()}) and as a self-contained SVG timeline ({@link #toSvg()}) that opens in any browser.
 *
 * <p>Register it with the engine ({@code .listener(recorder)}), or feed it events yourself. It reads the events'
 * payloads (the {@link Routing} applied, the {@link CheckResult}, the {@link dev.zdd.api.HealthResult}, the
 * {@link dev.zdd.api.DeploymentResult}); it never parses messages. Code that has the objects from elsewhere can
 * record them with {@link #routing(Instant, String, Routing)} and {@link #check(Instant, String, CheckResult)}. One
 * recorder records one deployment (events of other deployment ids are ignored once the first is seen).
 *
 * <p>Thread-safe (synchronized).
 */
public final class DeploymentRecorder implements dev.zdd.api.DeploymentListener {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private String deploymentId;
    private final List<DeploymentEvent> events = new ArrayList<>();
    private final List<DeploymentTimeline.TrafficPoint> traffic = new ArrayList<>();
    private final List<DeploymentTimeline.ProbeMark> probes = new ArrayList<>();
    private final List<DeploymentTimeline.CheckMark> checks = new ArrayList<>();
    private final List<DeploymentTimeline.Milestone> milestones = new ArrayList<>();
    private String status = "RUNNING";
    private Instant first;
    private Instant last;

    /** An empty recorder. */
    public DeploymentRecorder() {
    }

    @Override
    public synchronized void onEvent(DeploymentEvent e) {
        if (e == null) {
            return;
        }
        if (deploymentId == null) {
            deploymentId = e.deploymentId();
        } else if (!deploymentId.equals(e.deploymentId())) {
            return;
        }
        events.add(e);
        touch(e.time());
        switch (e.kind()) {
            case ROUTING_APPLIED -> {
                DeploymentEvent.RoutingApplied r = (DeploymentEvent.RoutingApplied) e;
                traffic.add(new DeploymentTimeline.TrafficPoint(e.time(), r.label(), r.routing().versionShares()));
            }
            case PROBE_RESULT -> {
                DeploymentEvent.ProbeResult p = (DeploymentEvent.ProbeResult) e;
                probes.add(new DeploymentTimeline.ProbeMark(e.time(), p.target().id(), p.result().isHealthy(),
                        e.describe()));
            }
            case CHECK_VERDICT -> {
                DeploymentEvent.CheckVerdict c = (DeploymentEvent.CheckVerdict) e;
                checks.add(new DeploymentTimeline.CheckMark(e.time(), c.check(), c.result().verdict().name(),
                        c.result().detail(), c.result().measurements()));
            }
            case FINISHED -> {
                status = ((DeploymentEvent.Finished) e).result().status().name();
                milestones.add(milestone(e, "", false));
            }
            case STEP_STARTED -> milestones.add(milestone(e, ((DeploymentEvent.StepStarted) e).step(), false));
            case STEP_ENDED -> {
                DeploymentEvent.StepEnded s = (DeploymentEvent.StepEnded) e;
                milestones.add(milestone(e, s.step(), s.outcome() == dev.zdd.api.StepOutcome.Outcome.FAILED));
            }
            case PROMOTED -> milestones.add(milestone(e, ((DeploymentEvent.Promoted) e).step(), false));
            default -> milestones.add(milestone(e, "", false));
        }
    }

    private static DeploymentTimeline.Milestone milestone(DeploymentEvent e, String step, boolean failed) {
        return new DeploymentTimeline.Milestone(e.time(), e.kind(), step, e.describe(), failed);
    }

    /** Records a routing table exactly (instead of parsing an event message). */
    public synchronized void routing(Instant time, String label, Routing routing) {
        touch(time);
        traffic.add(new DeploymentTimeline.TrafficPoint(time, label == null ? "" : label, routing.versionShares()));
    }

    /** Records a check verdict exactly (instead of parsing an event message). */
    public synchronized void check(Instant time, String name, CheckResult result) {
        touch(time);
        checks.add(new DeploymentTimeline.CheckMark(time, name, result.verdict().name(), result.detail(), result.measurements()));
    }

    /** The events received, in order. */
    public synchronized List<DeploymentEvent> events() {
        return List.copyOf(events);
    }

    /** What was recorded so far. */
    public synchronized DeploymentTimeline timeline() {
        Instant start = first == null ? Instant.EPOCH : first;
        return new DeploymentTimeline(deploymentId == null ? "" : deploymentId, start, last == null ? start : last, status,
                traffic, probes, checks, milestones);
    }

    /** The record as indented JSON (NaN values as {@code null}). */
    public String toJson() {
        DeploymentTimeline t = timeline();
        ObjectNode root = JSON.createObjectNode();
        root.put("deploymentId", t.deploymentId());
        root.put("status", t.status());
        root.put("startedAt", t.startedAt().toString());
        root.put("finishedAt", t.finishedAt().toString());
        ArrayNode tr = root.putArray("traffic");
        for (DeploymentTimeline.TrafficPoint p : t.traffic()) {
            ObjectNode n = tr.addObject();
            n.put("time", p.time().toString());
            n.put("label", p.label());
            ObjectNode shares = n.putObject("shares");
            p.shares().forEach((v, s) -> number(shares, v, s));
        }
        ArrayNode pr = root.putArray("probes");
        for (DeploymentTimeline.ProbeMark p : t.probes()) {
            ObjectNode n = pr.addObject();
            n.put("time", p.time().toString());
            n.put("target", p.target());
            n.put("healthy", p.healthy());
            n.put("message", p.message());
        }
        ArrayNode ch = root.putArray("checks");
        for (DeploymentTimeline.CheckMark c : t.checks()) {
            ObjectNode n = ch.addObject();
            n.put("time", c.time().toString());
            n.put("name", c.name());
            n.put("verdict", c.verdict());
            n.put("detail", c.detail());
            ObjectNode m = n.putObject("measurements");
            c.measurements().forEach((k, v) -> number(m, k, v));
        }
        ArrayNode ms = root.putArray("milestones");
        for (DeploymentTimeline.Milestone m : t.milestones()) {
            ObjectNode n = ms.addObject();
            n.put("time", m.time().toString());
            n.put("type", m.kind().name());
            n.put("step", m.step());
            n.put("message", m.message());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record as a self-contained SVG timeline. */
    public String toSvg() {
        return TimelineSvg.render(timeline());
    }

    /**
     * Writes {@code <name>.json} and {@code <name>.svg} into {@code directory} (created if needed), each atomically.
     *
     * @return the two files, JSON first
     */
    public List<Path> writeTo(Path directory, String name) throws IOException {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}")) {
            throw new IllegalArgumentException("report name '" + name + "' is invalid: expected letters, digits, '.', '_' or '-'");
        }
        Files.createDirectories(directory);
        Path json = write(directory.resolve(name + ".json"), toJson());
        Path svg = write(directory.resolve(name + ".svg"), toSvg());
        return List.of(json, svg);
    }

    private static Path write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void number(ObjectNode node, String key, Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) {
            node.putNull(key);
        } else {
            node.put(key, v);
        }
    }

    private void touch(Instant t) {
        if (t == null) {
            return;
        }
        if (first == null || t.isBefore(first)) {
            first = t;
        }
        if (last == null || t.isAfter(last)) {
            last = t;
        }
    }
}
