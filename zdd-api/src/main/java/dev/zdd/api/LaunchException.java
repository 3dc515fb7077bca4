package dev.zdd.api;

/** A {@link TargetLauncher} could not start or stop an instance. The message carries the launcher's own words. */
public class LaunchException extends ZddException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message. */
    public LaunchException(String message) {
        super(message);
    }

    /** An exception with a message and a cause. */
    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
