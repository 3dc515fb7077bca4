/**
 * Built-in {@link dev.zdd.api.TargetLauncher}s: {@link dev.zdd.core.launch.ProcessLauncher} starts a local process per
 * version on an idle port (the common {@code java -jar app.jar --server.port=8081} pattern). Thread-safe.
 */
package dev.zdd.core.launch;
