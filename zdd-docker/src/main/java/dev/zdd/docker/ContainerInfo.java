package dev.zdd.docker;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /containers/{id}/json} says about a container: identity, state, health and published ports. The
 * container's environment is deliberately not read (it may hold secrets). Immutable; thread-safe.
 *
 * @param id               the full container id
 * @param name             its name without the leading slash
 * @param image            the image reference it was created with
 * @param labels           its labels
 * @param status           {@code created}, {@code running}, {@code restarting}, {@code exited}, {@code paused},
 *                         {@code removing} or {@code dead}
 * @param exitCode         the exit code of its last run (0 while running)
 * @param error            the engine's error for its last start, or empty
 * @param oomKilled        whether the kernel killed it for memory
 * @param health           {@code healthy}, {@code unhealthy}, {@code starting}, or {@code none} without a HEALTHCHECK
 * @param lastHealthOutput the output and exit code of the last health check run, or empty
 * @param ports            its published ports
 */
public record ContainerInfo(String id, String name, String image, Map<String, String> labels, String status, int exitCode,
                            String error, boolean oomKilled, String health, String lastHealthOutput,
                            List<PortBinding> ports) {
    /** {@link #health()} of a container without a HEALTHCHECK. */
    public static final String NO_HEALTHCHECK = "none";

    /** Copies the collections. */
    public ContainerInfo {
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
    }

    /** {@code true} when running (and not paused or restarting). */
    public boolean running() {
        return "running".equals(status);
    }

    /** The host port publishing {@code containerPort}/tcp (IPv4 binding first), if any. */
    public Optional<PortBinding> hostPort(int containerPort) {
        return ports.stream().filter(p -> p.containerPort() == containerPort && "tcp".equals(p.protocol()))
                .min((a, b) -> Boolean.compare(a.hostIp().contains(":"), b.hostIp().contains(":")));
    }
}
