/**
 * zdd's engine: {@link dev.zdd.core.Engine} runs deployment plans with deadlines, parallel health probes, events and
 * automatic rollback; {@link dev.zdd.core.Schedulers} gives the real-time scheduler. Strategies, probes, routers and
 * launchers live in sub-packages; {@code dev.zdd.core.testing} is the test kit (virtual time, scripted fakes);
 * {@code dev.zdd.core.internal} is not API.
 */
package dev.zdd.core;
