package dev.zdd.docker;

import dev.zdd.api.ZddException;

/**
 * A Docker Engine API call failed: the daemon answered an error (then {@link #status()} is its HTTP status and
 * {@link #dockerMessage()} its own {@code message}), or it could not be reached or did not answer in time (status -1).
 * Messages never contain request bodies, so never environment values. Immutable once thrown.
 */
public class DockerException extends ZddException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String dockerMessage;

    /** An error answered by the daemon, or with {@code status} -1 a transport failure. */
    public DockerException(String message, int status, String dockerMessage, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.dockerMessage = dockerMessage == null ? "" : dockerMessage;
    }

    /** The HTTP status the daemon answered, or -1 when there was no answer. */
    public int status() {
        return status;
    }

    /** The daemon's own {@code message}, or empty. */
    public String dockerMessage() {
        return dockerMessage;
    }

    /** {@code true} when the daemon answered 404 (no such container or image). */
    public boolean isNotFound() {
        return status == 404;
    }

    /** {@code true} when there was no answer at all (daemon unreachable, timeout). */
    public boolean isUnreachable() {
        return status < 0;
    }
}
