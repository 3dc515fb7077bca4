package dev.zdd.api;

import java.util.Set;
import java.util.TreeSet;

/**
 * A routing rule evaluated before weights: requests whose key has one of the listed values go to the targets of
 * {@code version} (A/B allow-lists, "internal testers see the new version").
 *
 * <p>Routers must send matching requests to the version's {@link RouteState#ACTIVE} targets even when their weight is 0
 * (a version with no share of the weighted traffic, reachable only by the rule: a blue-green preview). When the version
 * has no ACTIVE target, the rule does not apply and the request is routed by weights.
 *
 * <p>Immutable; thread-safe. Values are restricted to {@code A-Z a-z 0-9 . _ ~ @ + -} (at most 128 characters) so that
 * they can be written into an nginx map or a HAProxy map file without escaping.
 *
 * @param key     what to read from the request
 * @param values  matching values (non-empty)
 * @param version the version that matching requests go to
 */
public record Rule(RequestKey key, Set<String> values, String version) {
    /** Validates and copies; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public Rule {
        Checks.notNull("rule.key", key);
        Checks.noNulls("rule.values", values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("rule.values must not be empty");
        }
        for (String v : values) {
            Checks.matches("rule.values", v, Checks.VALUE, "letters, digits or . _ ~ @ + -, 1 to 128 characters");
        }
        values = java.util.Collections.unmodifiableSet(new TreeSet<>(values));
        Checks.name("rule.version", version);
    }

    /** Requests whose {@code key} is one of {@code values} go to {@code version}. */
    public static Rule match(RequestKey key, Set<String> values, String version) {
        return new Rule(key, values, version);
    }
}
