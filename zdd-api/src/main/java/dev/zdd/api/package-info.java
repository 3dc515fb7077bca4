/**
 * zdd's public contract: the four interfaces of the design ({@link dev.zdd.api.Target}, {@link dev.zdd.api.HealthProbe},
 * {@link dev.zdd.api.TrafficRouter}, {@link dev.zdd.api.Strategy}), their neighbours ({@link dev.zdd.api.TargetLauncher},
 * {@link dev.zdd.api.Clock}, {@link dev.zdd.api.Scheduler}, listeners, checks and hooks) and the immutable value types
 * they exchange ({@link dev.zdd.api.Routing}, {@link dev.zdd.api.Plan}, {@link dev.zdd.api.Step}...).
 *
 * <p>This module has no runtime dependencies. Every value type validates its input when built and names the field and
 * the bad value in its {@link java.lang.IllegalArgumentException}.
 */
package dev.zdd.api;
