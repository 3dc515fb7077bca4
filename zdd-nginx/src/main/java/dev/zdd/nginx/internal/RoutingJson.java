package dev.zdd.nginx.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zdd.api.Endpoint;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link Routing} as one line of JSON (the machine-readable header of the include file) and back. Explicit field by
 * field, so that the format does not depend on how a JSON library sees records. Stateless; thread-safe.
 */
public final class RoutingJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RoutingJson() {
    }

    /** One line of JSON (non-ASCII and control characters escaped, so it fits in an nginx comment line). */
    public static String write(Routing routing) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode routes = root.putArray("routes");
        for (Route r : routing.routes()) {
            ObjectNode n = routes.addObject();
            Target t = r.target();
            n.put("id", t.id());
            n.put("version", t.version());
            n.put("host", t.endpoint().host());
            n.put("port", t.endpoint().port());
            n.put("weight", r.weight());
            n.put("state", r.state().name());
            if (!t.attributes().isEmpty()) {
                ObjectNode a = n.putObject("attributes");
                t.attributes().forEach(a::put);
            }
        }
        if (routing.stickiness() != null) {
            root.set("stickiness", key(routing.stickiness().key()));
        }
        ArrayNode rules = root.putArray("rules");
        for (Rule rule : routing.rules()) {
            ObjectNode n = rules.addObject();
            n.set("key", key(rule.key()));
            ArrayNode values = n.putArray("values");
            rule.values().forEach(values::add);
            n.put("version", rule.version());
        }
        try {
            String s = JSON.writeValueAsString(root);
            StringBuilder out = new StringBuilder(s.length());
            for (char c : s.toCharArray()) {
                if (c < 0x20 || c >= 0x7f) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write routing as JSON", e);
        }
    }

    /**
     * Parses what {@link #write(Routing)} wrote.
     *
     * @throws IllegalArgumentException when the text is not such JSON or a value is invalid
     */
    public static Routing read(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("routing JSON is malformed: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("routing JSON is not an object");
        }
        List<Route> routes = new ArrayList<>();
        for (JsonNode n : array(root, "routes")) {
            Map<String, String> attributes = new TreeMap<>();
            JsonNode a = n.get("attributes");
            if (a != null && a.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> it = a.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    attributes.put(e.getKey(), e.getValue().asText());
                }
            }
            Target t = new Target(text(n, "id"), text(n, "version"), new Endpoint(text(n, "host"), integer(n, "port")),
                    attributes);
            RouteState state;
            try {
                state = RouteState.valueOf(text(n, "state"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("routing JSON has unknown state '" + text(n, "state") + "'");
            }
            routes.add(new Route(t, integer(n, "weight"), state));
        }
        Stickiness sticky = null;
        JsonNode s = root.get("stickiness");
        if (s != null && !s.isNull()) {
            sticky = Stickiness.on(key(s));
        }
        List<Rule> rules = new ArrayList<>();
        for (JsonNode n : array(root, "rules")) {
            Set<String> values = new LinkedHashSet<>();
            for (JsonNode v : array(n, "values")) {
                values.add(v.asText());
            }
            rules.add(Rule.match(key(n.get("key")), values, text(n, "version")));
        }
        return new Routing(routes, sticky, rules);
    }

    private static ObjectNode key(RequestKey key) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", key.kind().name());
        n.put("name", key.name());
        return n;
    }

    private static RequestKey key(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("routing JSON has a missing request key");
        }
        try {
            return new RequestKey(RequestKey.Kind.valueOf(text(n, "kind")), text(n, "name"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("routing JSON has a bad request key: " + e.getMessage());
        }
    }

    private static Iterable<JsonNode> array(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new IllegalArgumentException("routing JSON field '" + field + "' is not an array");
        }
        return a;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("routing JSON field '" + field + "' is missing or not text");
        }
        return v.asText();
    }

    private static int integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("routing JSON field '" + field + "' is missing or not a whole number");
        }
        return v.asInt();
    }
}
