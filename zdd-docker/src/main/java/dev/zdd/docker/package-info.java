/**
 * zdd over Docker: {@link dev.zdd.docker.DockerClient} (a small Docker Engine API client on a unix socket or TCP),
 * {@link dev.zdd.docker.DockerLauncher} (a {@link dev.zdd.api.TargetLauncher} that runs one labelled container per
 * target and discovers them again after a restart) and {@link dev.zdd.docker.DockerHealthProbe} (a
 * {@link dev.zdd.api.HealthProbe} reading the container's own HEALTHCHECK). {@code dev.zdd.docker.testing} holds
 * helpers for integration tests against a real daemon; {@code dev.zdd.docker.internal} is not public API.
 */
package dev.zdd.docker;
