package dev.zdd.docker;

/**
 * A container port published on the host. Immutable; thread-safe.
 *
 * @param containerPort the port inside the container
 * @param protocol      {@code tcp} or {@code udp}
 * @param hostIp        the host address it is bound to ({@code 0.0.0.0} for all)
 * @param hostPort      the host port
 */
public record PortBinding(int containerPort, String protocol, String hostIp, int hostPort) {
}
