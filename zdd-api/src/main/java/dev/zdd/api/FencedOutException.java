package dev.zdd.api;

/**
 * A call was refused because the deployment making it no longer holds a current lease (it lapsed, or another
 * deployment took it over with a higher fencing token). The message says why and names the new holder when known.
 * Thrown by {@link Fence#check()}, and by routers that refuse a stale token.
 */
public class FencedOutException extends ZddException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message. */
    public FencedOutException(String message) {
        super(message);
    }
}
