package dev.zdd.core.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zdd.api.Arguments;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Endpoint;
import dev.zdd.api.Plan;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Encodes {@link JournalRecord}s as self-checking bytes and decodes them, for {@link FileJournalStore} and for teams
 * writing their own {@link JournalStore}.
 *
 * <p>Format: one header line {@code zdd-journal 1 <length> <sha-256>} followed by exactly {@code length} bytes of UTF-8
 * JSON whose SHA-256 is the given hex digest. Steps carry a {@code "type"} discriminator ({@code launch},
 * {@code awaitHealthy}, {@code shiftTraffic}, {@code pause}, {@code gate}, {@code check}, {@code drain}, {@code retire},
 * {@code hook}, {@code pointOfNoReturn}); durations are ISO-8601 ({@code PT30S}), instants ISO-8601 UTC. Decoding
 * checks the header, the length, the checksum and every field, and throws {@link JournalCorruptException} rather than
 * return anything partial.
 *
 * <p>Stateless; thread-safe.
 */
public final class JournalCodec {
    /** Format version written in the header. */
    public static final int FORMAT = 1;

    private static final String MAGIC = "zdd-journal";
    private static final int MAX_HEADER = 200;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JournalCodec() {
    }

    /** The record as header line plus JSON. */
    public static byte[] encode(JournalRecord record) {
        byte[] body = json(recordNode(record));
        String header = MAGIC + " " + FORMAT + " " + body.length + " " + sha256(body) + "\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    /**
     * Decodes what {@link #encode(JournalRecord)} produced.
     *
     * @param source names the file or key in error messages
     * @throws JournalCorruptException when the bytes are truncated, extended, altered or not a journal
     */
    public static JournalRecord decode(byte[] bytes, String source) {
        if (bytes.length == 0) {
            throw new JournalCorruptException(source, "the file is empty");
        }
        int nl = -1;
        for (int i = 0; i < Math.min(bytes.length, MAX_HEADER); i++) {
            if (bytes[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            throw new JournalCorruptException(source, "no header line (expected '" + MAGIC + " " + FORMAT
                    + " <length> <sha-256>')");
        }
        String[] header = new String(bytes, 0, nl, StandardCharsets.US_ASCII).split(" ");
        if (header.length != 4 || !MAGIC.equals(header[0])) {
            throw new JournalCorruptException(source, "not a zdd journal (bad header)");
        }
        if (!String.valueOf(FORMAT).equals(header[1])) {
            throw new JournalCorruptException(source, "unknown format version '" + printable(header[1]) + "' (this zdd reads "
                    + FORMAT + ")");
        }
        long length;
        try {
            length = Long.parseLong(header[2]);
        } catch (NumberFormatException e) {
            throw new JournalCorruptException(source, "bad length in header");
        }
        long actual = bytes.length - nl - 1L;
        if (actual != length) {
            throw new JournalCorruptException(source, (actual < length ? "truncated" : "has trailing bytes") + ": header says "
                    + length + " bytes of JSON, found " + actual);
        }
        byte[] body = new byte[(int) actual];
        System.arraycopy(bytes, nl + 1, body, 0, body.length);
        String digest = sha256(body);
        if (!digest.equals(header[3])) {
            throw new JournalCorruptException(source, "checksum mismatch (header " + printable(header[3]) + ", content "
                    + digest + ")");
        }
        try {
            return record(MAPPER.readTree(body));
        } catch (JsonProcessingException e) {
            throw new JournalCorruptException(source, "checksum matches but the content is invalid: "
                    + printable(e.getOriginalMessage()), e);
        } catch (java.io.IOException | RuntimeException e) {
            throw new JournalCorruptException(source, "checksum matches but the content is invalid: "
                    + printable(String.valueOf(e.getMessage())), e);
        }
    }

    /** A routing table as JSON (the journal's encoding of routing tables). */
    public static String routingToJson(Routing routing) {
        return new String(json(routing(routing)), StandardCharsets.UTF_8);
    }

    /**
     * Parses what {@link #routingToJson(Routing)} produced.
     *
     * @throws IllegalArgumentException when the text is not a valid routing table
     */
    public static Routing routingFromJson(String json) {
        try {
            return routing(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("routing JSON is invalid: " + e.getOriginalMessage(), e);
        }
    }

    // ---- encoding

    private static byte[] json(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode journal", e);
        }
    }

    private static ObjectNode recordNode(JournalRecord r) {
        ObjectNode o = F.objectNode();
        o.put("deploymentId", r.deploymentId());
        o.put("sequence", r.sequence());
        o.put("fencingToken", r.fencingToken());
        o.put("status", r.status().name());
        o.put("reason", r.reason());
        o.put("completedSteps", r.completedSteps());
        o.put("stepRunning", r.stepRunning());
        o.put("pastPointOfNoReturn", r.pastPointOfNoReturn());
        o.put("startedAt", r.startedAt().toString());
        o.put("updatedAt", r.updatedAt().toString());
        o.set("spec", spec(r.spec()));
        o.set("plan", plan(r.plan()));
        o.set("routingBefore", routing(r.routingBefore()));
        o.set("routingApplied", r.routingApplied() == null ? F.nullNode() : routing(r.routingApplied()));
        o.set("launched", targets(r.launched()));
        o.set("retired", targets(r.retired()));
        return o;
    }

    private static ObjectNode spec(DeploymentSpec s) {
        ObjectNode o = F.objectNode();
        o.put("service", s.service());
        o.put("version", s.version());
        o.set("targets", targets(s.targets()));
        o.put("instances", s.instances());
        o.set("attributes", map(s.attributes()));
        return o;
    }

    private static ObjectNode plan(Plan p) {
        ObjectNode o = F.objectNode();
        o.put("strategy", p.strategy());
        ArrayNode steps = o.putArray("steps");
        for (Step s : p.steps()) {
            steps.add(step(s));
        }
        return o;
    }

    private static ObjectNode step(Step s) {
        ObjectNode o = F.objectNode();
        if (s instanceof Step.Launch l) {
            o.put("type", "launch").put("targetId", l.targetId()).put("version", l.version());
            o.set("attributes", map(l.attributes()));
        } else if (s instanceof Step.AwaitHealthy a) {
            o.put("type", "awaitHealthy");
            o.set("targetIds", strings(a.targetIds()));
        } else if (s instanceof Step.ShiftTraffic t) {
            o.put("type", "shiftTraffic").put("label", t.label());
            ArrayNode allocations = o.putArray("allocations");
            for (Step.Allocation a : t.allocations()) {
                allocations.addObject().put("targetId", a.targetId()).put("weight", a.weight()).put("state", a.state().name());
            }
            o.set("stickiness", t.stickiness() == null ? F.nullNode() : requestKey(t.stickiness().key()));
            o.set("rules", rules(t.rules()));
        } else if (s instanceof Step.Pause p) {
            o.put("type", "pause").put("duration", p.duration().toString());
        } else if (s instanceof Step.Gate g) {
            o.put("type", "gate").put("name", g.name()).put("timeout", g.timeout().toString());
        } else if (s instanceof Step.Check c) {
            o.put("type", "check").put("name", c.name());
        } else if (s instanceof Step.Drain d) {
            o.put("type", "drain").put("timeout", d.timeout().toString());
            o.set("targetIds", strings(d.targetIds()));
        } else if (s instanceof Step.Retire r) {
            o.put("type", "retire").put("grace", r.grace().toString());
            o.set("targetIds", strings(r.targetIds()));
        } else if (s instanceof Step.Hook h) {
            o.put("type", "hook").put("name", h.name());
        } else if (s instanceof Step.PointOfNoReturn p) {
            o.put("type", "pointOfNoReturn").put("reason", p.reason());
        } else if (s instanceof Step.Verify v) {
            o.put("type", "verify").put("window", v.window().toString()).put("checkInterval", v.checkInterval().toString());
            o.set("targetIds", strings(v.targetIds()));
            o.set("checks", strings(v.checks()));
        } else {
            throw new IllegalStateException("unknown step type " + s.getClass().getName());
        }
        return o;
    }

    private static ObjectNode routing(Routing r) {
        ObjectNode o = F.objectNode();
        ArrayNode routes = o.putArray("routes");
        for (Route route : r.routes()) {
            ObjectNode x = routes.addObject();
            x.set("target", target(route.target()));
            x.put("weight", route.weight()).put("state", route.state().name());
        }
        o.set("stickiness", r.stickiness() == null ? F.nullNode() : requestKey(r.stickiness().key()));
        o.set("rules", rules(r.rules()));
        return o;
    }

    private static ArrayNode rules(List<Rule> rules) {
        ArrayNode a = F.arrayNode();
        for (Rule rule : rules) {
            ObjectNode x = a.addObject();
            x.set("key", requestKey(rule.key()));
            x.set("values", strings(new ArrayList<>(rule.values())));
            x.put("version", rule.version());
        }
        return a;
    }

    private static ObjectNode requestKey(RequestKey k) {
        return F.objectNode().put("kind", k.kind().name()).put("name", k.name());
    }

    private static ArrayNode targets(List<Target> targets) {
        ArrayNode a = F.arrayNode();
        for (Target t : targets) {
            a.add(target(t));
        }
        return a;
    }

    private static ObjectNode target(Target t) {
        ObjectNode o = F.objectNode();
        o.put("id", t.id()).put("version", t.version()).put("host", t.endpoint().host()).put("port", t.endpoint().port());
        o.set("attributes", map(t.attributes()));
        return o;
    }

    private static ObjectNode map(Map<String, String> m) {
        ObjectNode o = F.objectNode();
        m.forEach(o::put);
        return o;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = F.arrayNode();
        values.forEach(a::add);
        return a;
    }

    // ---- decoding: every accessor throws IllegalArgumentException naming the missing or bad field

    private static JournalRecord record(JsonNode o) {
        obj(o, "journal");
        return new JournalRecord(text(o, "deploymentId"), spec(field(o, "spec")), plan(field(o, "plan")),
                integer(o, "completedSteps"), bool(o, "stepRunning"), routing(field(o, "routingBefore")),
                nullable(o, "routingApplied") == null ? null : routing(o.get("routingApplied")),
                targets(field(o, "launched")), targets(field(o, "retired")),
                DeploymentStatus.valueOf(text(o, "status")), text(o, "reason"), bool(o, "pastPointOfNoReturn"),
                Instant.parse(text(o, "startedAt")), Instant.parse(text(o, "updatedAt")), longValue(o, "sequence"),
                o.has("fencingToken") ? longValue(o, "fencingToken") : 0);
    }

    private static DeploymentSpec spec(JsonNode o) {
        obj(o, "spec");
        return new DeploymentSpec(text(o, "service"), text(o, "version"), targets(field(o, "targets")),
                integer(o, "instances"), map(field(o, "attributes")));
    }

    private static Plan plan(JsonNode o) {
        obj(o, "plan");
        List<Step> steps = new ArrayList<>();
        for (JsonNode s : array(field(o, "steps"), "plan.steps")) {
            steps.add(step(s));
        }
        return new Plan(text(o, "strategy"), steps);
    }

    private static Step step(JsonNode o) {
        obj(o, "step");
        String type = text(o, "type");
        switch (type) {
            case "launch":
                return new Step.Launch(text(o, "targetId"), text(o, "version"), map(field(o, "attributes")));
            case "awaitHealthy":
                return new Step.AwaitHealthy(strings(field(o, "targetIds")));
            case "shiftTraffic": {
                List<Step.Allocation> allocations = new ArrayList<>();
                for (JsonNode a : array(field(o, "allocations"), "allocations")) {
                    allocations.add(new Step.Allocation(text(a, "targetId"), integer(a, "weight"),
                            RouteState.valueOf(text(a, "state"))));
                }
                JsonNode sticky = nullable(o, "stickiness");
                return new Step.ShiftTraffic(text(o, "label"), allocations,
                        sticky == null ? null : new Stickiness(requestKey(sticky)), rules(field(o, "rules")));
            }
            case "pause":
                return new Step.Pause(Duration.parse(text(o, "duration")));
            case "gate":
                return new Step.Gate(text(o, "name"), Duration.parse(text(o, "timeout")));
            case "check":
                return new Step.Check(text(o, "name"));
            case "drain":
                return new Step.Drain(strings(field(o, "targetIds")), Duration.parse(text(o, "timeout")));
            case "retire":
                return new Step.Retire(strings(field(o, "targetIds")), Duration.parse(text(o, "grace")));
            case "hook":
                return new Step.Hook(text(o, "name"));
            case "pointOfNoReturn":
                return new Step.PointOfNoReturn(text(o, "reason"));
            case "verify":
                return new Step.Verify(strings(field(o, "targetIds")), Duration.parse(text(o, "window")),
                        strings(field(o, "checks")), Duration.parse(text(o, "checkInterval")));
            default:
                throw new IllegalArgumentException("step.type '" + printable(type) + "' is unknown");
        }
    }

    private static Routing routing(JsonNode o) {
        obj(o, "routing");
        List<Route> routes = new ArrayList<>();
        for (JsonNode r : array(field(o, "routes"), "routing.routes")) {
            routes.add(new Route(target(field(r, "target")), integer(r, "weight"), RouteState.valueOf(text(r, "state"))));
        }
        JsonNode sticky = nullable(o, "stickiness");
        return new Routing(routes, sticky == null ? null : new Stickiness(requestKey(sticky)), rules(field(o, "rules")));
    }

    private static List<Rule> rules(JsonNode a) {
        List<Rule> out = new ArrayList<>();
        for (JsonNode r : array(a, "rules")) {
            Set<String> values = new LinkedHashSet<>(strings(field(r, "values")));
            out.add(new Rule(requestKey(field(r, "key")), values, text(r, "version")));
        }
        return out;
    }

    private static RequestKey requestKey(JsonNode o) {
        obj(o, "requestKey");
        return new RequestKey(RequestKey.Kind.valueOf(text(o, "kind")), text(o, "name"));
    }

    private static List<Target> targets(JsonNode a) {
        List<Target> out = new ArrayList<>();
        for (JsonNode t : array(a, "targets")) {
            out.add(target(t));
        }
        return out;
    }

    private static Target target(JsonNode o) {
        obj(o, "target");
        return new Target(text(o, "id"), text(o, "version"), new Endpoint(text(o, "host"), integer(o, "port")),
                map(field(o, "attributes")));
    }

    private static Map<String, String> map(JsonNode o) {
        obj(o, "attributes");
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("attribute '" + printable(e.getKey()) + "' is not text");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array(a, "list")) {
            if (!s.isTextual()) {
                throw new IllegalArgumentException("expected text in list, found " + s.getNodeType());
            }
            out.add(s.asText());
        }
        return out;
    }

    private static void obj(JsonNode n, String what) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
    }

    private static Iterable<JsonNode> array(JsonNode n, String what) {
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException(what + " is not a JSON array");
        }
        return n;
    }

    private static JsonNode field(JsonNode o, String name) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("field '" + name + "' is missing");
        }
        return v;
    }

    private static JsonNode nullable(JsonNode o, String name) {
        if (!o.has(name)) {
            throw new IllegalArgumentException("field '" + name + "' is missing");
        }
        JsonNode v = o.get(name);
        return v.isNull() ? null : v;
    }

    private static String text(JsonNode o, String name) {
        JsonNode v = field(o, name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field '" + name + "' is not text");
        }
        return v.asText();
    }

    private static int integer(JsonNode o, String name) {
        JsonNode v = field(o, name);
        if (!v.isInt()) {
            throw new IllegalArgumentException("field '" + name + "' is not an integer");
        }
        return v.intValue();
    }

    private static long longValue(JsonNode o, String name) {
        JsonNode v = field(o, name);
        if (!v.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + name + "' is not an integer");
        }
        return v.longValue();
    }

    private static boolean bool(JsonNode o, String name) {
        JsonNode v = field(o, name);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("field '" + name + "' is not a boolean");
        }
        return v.booleanValue();
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** A value for a corruption message: control characters as {@code \\uXXXX}, at most 300 characters. */
    private static String printable(String s) {
        return Arguments.printable(s, 300);
    }
}
