package dev.zdd.ssh;

/**
 * The server's host key was refused: it is not in the known_hosts file (unknown host), or the file holds another key
 * for that host (changed key, possibly a machine in the middle). The message names the host, the known_hosts file and
 * both fingerprints (SHA-256, as {@code ssh-keygen -l} prints them). zdd never accepts such a key by itself: check the
 * fingerprint out of band and add it to known_hosts. Immutable once thrown.
 */
public final class HostKeyException extends SshException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message and a cause. */
    public HostKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
