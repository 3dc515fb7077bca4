package dev.zdd.docker;

import java.util.List;
import java.util.Map;

/**
 * One entry of {@code GET /containers/json}. Immutable; thread-safe.
 *
 * @param id     the full container id
 * @param name   its name without the leading slash
 * @param image  the image it was created from
 * @param labels its labels
 * @param state  {@code created}, {@code running}, {@code restarting}, {@code exited}, {@code paused} or {@code dead}
 * @param ports  its published ports
 */
public record ContainerSummary(String id, String name, String image, Map<String, String> labels, String state,
                               List<PortBinding> ports) {
    /** Copies the collections. */
    public ContainerSummary {
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
    }

    /** {@code true} when running. */
    public boolean running() {
        return "running".equals(state);
    }
}
