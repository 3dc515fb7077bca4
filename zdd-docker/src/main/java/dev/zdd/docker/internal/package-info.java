/** Internals of zdd-docker (unix socket transport, log frames, tar, validation). Not public API; may change at any time. */
package dev.zdd.docker.internal;
