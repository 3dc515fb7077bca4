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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link dev.zdd.api.DeploymentListener} that records a deployment for people: which share of traffic each version
 * had over time, probe answers, check verdicts with their values, steps, rollback and the end. It writes the record
 * as JSON ({@link #toJson()}) and as a self-contained SVG timeline ({@link #toSvg()}) that opens in any browser.
 *
 * <p>Register it with the engine ({@code .listener(recorder)}), or feed it events yourself. It reads the engine's
 * event messages: routing tables in {@link Routing#toString()} form ({@code id/version weight}), verdicts
 * ({@code PASS}, {@code FAIL}, {@code INCONCLUSIVE}) with {@code name=value} numbers. Code that has the objects can
 * record them exactly with {@link #routing(Instant, String, Routing)} and {@link #check(Instant, String, CheckResult)}.
 * One recorder records one deployment (events of other deployment ids are ignored once the first is seen).
 *
 * <p>Thread-safe (synchronized).
 */
public final class DeploymentRecorder implements dev.zdd.api.DeploymentListener {
    private static final Pattern ROUTE = Pattern.compile(
            "([A-Za-z0-9][A-Za-z0-9._-]{0,62})/([A-Za-z0-9][A-Za-z0-9._-]{0,62}) (\\d{1,5}|draining|disabled)");
    private static final Pattern VERDICT = Pattern.compile("\\b(PASS|FAIL|INCONCLUSIVE)\\b");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z][A-Za-z0-9._-]*)=(-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN)");
    private static final Pattern CHECK_NAME = Pattern.compile("check '([^']+)'");
    private static final Pattern STATUS = Pattern.compile("\\b(SUCCEEDED|ROLLED_BACK|FAILED)\\b");
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
        switch (e.type()) {
            case ROUTING_APPLIED -> {
                Map<String, Double> shares = parseShares(e.message());
                if (shares != null) {
                    traffic.add(new DeploymentTimeline.TrafficPoint(e.time(), e.step(), shares));
                } else {
                    milestones.add(new DeploymentTimeline.Milestone(e.time(), e.type(), e.step(), e.message()));
                }
            }
            case PROBE_RESULT -> probes.add(parseProbe(e));
            case CHECK_RESULT -> checks.add(parseCheck(e));
            default -> {
                if (e.type() == DeploymentEvent.Type.FINISHED) {
                    Matcher m = STATUS.matcher(e.message());
                    status = m.find() ? m.group(1) : e.message().isEmpty() ? "FINISHED" : e.message();
                }
                milestones.add(new DeploymentTimeline.Milestone(e.time(), e.type(), e.step(), e.message()));
            }
        }
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
            n.put("type", m.type().name());
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

    /** Shares per version from a message listing {@code id/version weight} routes, or null when it lists none. */
    static Map<String, Double> parseShares(String message) {
        Matcher m = ROUTE.matcher(message);
        Map<String, Long> weights = new LinkedHashMap<>();
        boolean any = false;
        while (m.find()) {
            any = true;
            String version = m.group(2);
            String w = m.group(3);
            long weight = Character.isDigit(w.charAt(0)) ? Long.parseLong(w) : 0;
            weights.merge(version, weight, Long::sum);
        }
        if (!any) {
            return null;
        }
        long total = weights.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Double> shares = new LinkedHashMap<>();
        weights.forEach((v, w) -> {
            if (total > 0 && w > 0) {
                shares.put(v, (double) w / total);
            }
        });
        return shares;
    }

    private static DeploymentTimeline.ProbeMark parseProbe(DeploymentEvent e) {
        String msg = e.message();
        String upper = msg.toUpperCase(Locale.ROOT);
        boolean healthy = upper.contains("HEALTHY") && !upper.contains("UNHEALTHY") && !upper.contains("UNKNOWN");
        Matcher m = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}").matcher(msg);
        String target = m.find() ? m.group() : "";
        return new DeploymentTimeline.ProbeMark(e.time(), target, healthy, msg);
    }

    private static DeploymentTimeline.CheckMark parseCheck(DeploymentEvent e) {
        String text = e.step() + " " + e.message();
        Matcher v = VERDICT.matcher(e.message());
        // no verdict word: the check threw, timed out or returned nothing, which the engine treats as a failure
        String verdict = v.find() ? v.group(1) : "FAIL";
        Matcher n = CHECK_NAME.matcher(text);
        String name = n.find() ? n.group(1) : e.step();
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher kv = VALUE.matcher(e.message());
        while (kv.find()) {
            values.put(kv.group(1), kv.group(2).equals("NaN") ? Double.NaN : Double.parseDouble(kv.group(2)));
        }
        return new DeploymentTimeline.CheckMark(e.time(), name, verdict, e.message(), values);
    }
}
