/**
 * zdd over HAProxy's runtime API: {@link dev.zdd.haproxy.HaproxyRouter} (a {@code TrafficRouter} and
 * {@code ConnectionStats} for one backend, no reloads), {@link dev.zdd.haproxy.RuntimeApiClient} (unix or TCP stats
 * socket, typed reads), {@link dev.zdd.haproxy.RoutingMaps} (sticky splits and rules through runtime-changed map files,
 * with the config lines to paste) and {@link dev.zdd.haproxy.HaproxyMetrics} (per-server counters for canary checks).
 */
package dev.zdd.haproxy;
