package dev.zdd.ssh;

import dev.zdd.api.ZddException;

/**
 * An SSH connection, authentication or remote command failed. The message names the host ({@code user@host:port}) and
 * what was refused or timed out; it never carries secrets (no key material, no passphrases, no environment values).
 * Immutable once thrown.
 */
public class SshException extends ZddException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message. */
    public SshException(String message) {
        super(message);
    }

    /** An exception with a message and a cause. */
    public SshException(String message, Throwable cause) {
        super(message, cause);
    }
}
