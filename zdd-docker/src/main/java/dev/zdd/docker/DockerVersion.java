package dev.zdd.docker;

/**
 * What {@code GET /version} says about a daemon. Immutable; thread-safe.
 *
 * @param version       the engine version, e.g. {@code 20.10.24+dfsg1}
 * @param apiVersion    the newest API version it speaks, e.g. {@code 1.41}
 * @param minApiVersion the oldest API version it speaks
 * @param os            its operating system, e.g. {@code linux}
 * @param arch          its architecture, e.g. {@code amd64}
 */
public record DockerVersion(String version, String apiVersion, String minApiVersion, String os, String arch) {
}
