/**
 * Helpers for integration tests and demos against a real Docker daemon: {@link dev.zdd.docker.testing.DockerTestDaemon}
 * finds one (or starts a private dockerd) and {@link dev.zdd.docker.testing.TestImage} builds zdd's busybox test image
 * without a registry.
 */
package dev.zdd.docker.testing;
