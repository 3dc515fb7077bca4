package dev.zdd.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * One running instance of one version of a service: a stable id, a version, an endpoint, and free attributes such as
 * {@code zone}, {@code colour} or {@code slot}.
 *
 * <p>Immutable value with value semantics; thread-safe. The id and version follow a strict pattern (letters, digits,
 * {@code . _ -}, at most 63 characters) so that they are safe as HAProxy server names, nginx identifiers and Docker
 * labels. Attribute keys follow the same pattern; attribute values may be any text without control characters, and
 * adapters that write them anywhere must check them again.
 *
 * @param id         unique within a routing table
 * @param version    the version this instance runs
 * @param endpoint   where it answers
 * @param attributes free attributes, never null (an empty map when none)
 */
public record Target(String id, String version, Endpoint endpoint, Map<String, String> attributes) {
    /** Attribute naming the blue-green colour of a target ({@code blue} or {@code green}). */
    public static final String COLOUR = "colour";

    /** Validates and copies; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public Target {
        Checks.name("target.id", id);
        Checks.name("target.version", version);
        Checks.notNull("target.endpoint", endpoint);
        Checks.notNull("target.attributes", attributes);
        TreeMap<String, String> copy = new TreeMap<>();
        attributes.forEach((k, v) -> {
            Checks.name("target.attributes key", k);
            Checks.notNull("target.attributes[" + k + "]", v);
            if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException(
                        "target.attributes[" + k + "] '" + Checks.printable(v) + "' contains a control character");
            }
            copy.put(k, v);
        });
        attributes = java.util.Collections.unmodifiableMap(copy);
    }

    /** A target with no attributes. */
    public static Target of(String id, String version, String host, int port) {
        return new Target(id, version, new Endpoint(host, port), Map.of());
    }

    /** A target with no attributes. */
    public static Target of(String id, String version, Endpoint endpoint) {
        return new Target(id, version, endpoint, Map.of());
    }

    /** A copy with one attribute added or replaced. */
    public Target withAttribute(String key, String value) {
        TreeMap<String, String> copy = new TreeMap<>(attributes);
        copy.put(key, value);
        return new Target(id, version, endpoint, copy);
    }

    /** The attribute's value, or {@code null} when absent. */
    public String attribute(String key) {
        return attributes.get(key);
    }

    @Override
    public String toString() {
        return id + "(" + version + "@" + endpoint + (attributes.isEmpty() ? "" : " " + attributes) + ")";
    }
}
