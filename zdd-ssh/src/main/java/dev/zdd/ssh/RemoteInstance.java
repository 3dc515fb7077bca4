package dev.zdd.ssh;

/**
 * An instance an {@link SshProcessLauncher} started, as its marker file on the host records it, and whether that very
 * process (same pid and same start time) is still alive. Immutable; thread-safe.
 *
 * @param target the target as launched (id, version, endpoint, attributes including pid and start time)
 * @param alive  whether the process runs now
 */
public record RemoteInstance(dev.zdd.api.Target target, boolean alive) {
}
