package dev.zdd.api;

/**
 * A {@link TrafficRouter} could not be reached, refused a change, or answered something it should not have. The message
 * names the step that failed (for example "validate", "reload", "set server") and carries the router's own words.
 */
public class RouterException extends ZddException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message. */
    public RouterException(String message) {
        super(message);
    }

    /** An exception with a message and a cause. */
    public RouterException(String message, Throwable cause) {
        super(message, cause);
    }
}
