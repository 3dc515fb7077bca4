package dev.zdd.api;

/** Base class of zdd's unchecked exceptions. Immutable once thrown. */
public class ZddException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message. */
    public ZddException(String message) {
        super(message);
    }

    /** An exception with a message and a cause. */
    public ZddException(String message, Throwable cause) {
        super(message, cause);
    }
}
