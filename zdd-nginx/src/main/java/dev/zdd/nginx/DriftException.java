package dev.zdd.nginx;

import dev.zdd.api.RouterException;

/**
 * The include file that zdd owns was changed by someone else (a hand edit, another tool), or nginx serves something
 * other than that file says. zdd refuses to overwrite a hand edit unless the router was built with
 * {@link NginxRouter.Builder#overwriteDrift(boolean)}. Immutable once thrown.
 */
public class DriftException extends RouterException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message that says what drifted and how to resolve it. */
    public DriftException(String message) {
        super(message);
    }
}
