/**
 * Built-in {@link dev.zdd.api.TrafficRouter}s: {@link dev.zdd.core.router.InProcessRouter} (client-side load balancing
 * inside a Java service), {@link dev.zdd.core.router.HealthCheckFileRouter} (on/off through health-check files polled
 * by an L4 balancer) and {@link dev.zdd.core.router.CompositeRouter} (several routers switched all-or-nothing).
 * All are thread-safe.
 */
package dev.zdd.core.router;
