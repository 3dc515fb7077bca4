/**
 * Built-in {@link dev.zdd.api.HealthProbe}s: {@link dev.zdd.core.probe.HttpProbe} (status range, body, headers),
 * {@link dev.zdd.core.probe.TcpProbe} (connect) and {@link dev.zdd.core.probe.CompositeProbe} (all / any).
 * All are immutable and thread-safe.
 */
package dev.zdd.core.probe;
