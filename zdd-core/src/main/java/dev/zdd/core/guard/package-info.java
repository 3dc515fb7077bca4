/**
 * The steady-state health guard: failover of unhealthy targets between deployments, drift detection (a router that
 * no longer serves the last table zdd committed), and its hand-over of the routing to a running deployment. See
 * {@link dev.zdd.core.guard.Guard} and docs/probes-routers.md.
 */
package dev.zdd.core.guard;
