package dev.zdd.api;

/**
 * What a handle command ({@link Deployment#pause()}, {@link Deployment#resume()}, {@link Deployment#promote()},
 * {@link Deployment#abort(String)}) did: whether it was accepted, and a sentence saying what it did or why it did
 * nothing (for example "refused: no manual gate or pause is running; now at step 3/7 (shift traffic [canary 10%])").
 *
 * <p>Immutable; thread-safe.
 *
 * @param command  the command: {@code pause}, {@code resume}, {@code promote} or {@code abort}
 * @param accepted whether it took effect
 * @param detail   what it did, or why not
 * @param progress where the deployment was when the command was handled
 */
public record CommandReply(String command, boolean accepted, String detail, DeploymentProgress progress) {
    /** Validates. */
    public CommandReply {
        Checks.notNull("reply.command", command);
        Checks.notNull("reply.progress", progress);
        detail = detail == null ? "" : detail;
    }

    @Override
    public String toString() {
        return command + (accepted ? " accepted: " : " refused: ") + detail;
    }
}
