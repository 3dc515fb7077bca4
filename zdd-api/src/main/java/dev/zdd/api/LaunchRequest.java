package dev.zdd.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link TargetLauncher} is asked to start: an instance of {@code version} of {@code service}, known from now on
 * as {@code targetId}, with attributes such as a colour or slot.
 *
 * <p>Immutable; thread-safe.
 *
 * @param service    the service name
 * @param targetId   the id the launched target must carry
 * @param version    the version to start
 * @param attributes attributes the launched target must carry (for example {@code colour=green})
 */
public record LaunchRequest(String service, String targetId, String version, Map<String, String> attributes) {
    /** Validates and copies. */
    public LaunchRequest {
        Checks.name("launch.service", service);
        Checks.name("launch.targetId", targetId);
        Checks.name("launch.version", version);
        Checks.notNull("launch.attributes", attributes);
        attributes = java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
    }
}
