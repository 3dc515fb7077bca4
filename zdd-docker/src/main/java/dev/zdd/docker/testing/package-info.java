/**
 * Helpers for integration tests and demos against a real Docker daemon: {@link dev.zdd.docker.testing.DockerTestDaemon}
 * finds one (or starts a private dockerd), {@link dev.zdd.docker.testing.TestImage} builds zdd's busybox test image
 * without a registry, and {@link dev.zdd.docker.testing.TestRegistry} runs a real image registry (Debian's
 * {@code docker-registry}, htpasswd auth, plain HTTP on loopback) to push to and pull from.
 */
package dev.zdd.docker.testing;
