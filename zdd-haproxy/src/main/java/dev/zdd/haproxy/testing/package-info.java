/** Test kit of zdd-haproxy: {@link dev.zdd.haproxy.testing.LocalHaproxy}, a real HAProxy on loopback for tests and benchmarks. */
package dev.zdd.haproxy.testing;
