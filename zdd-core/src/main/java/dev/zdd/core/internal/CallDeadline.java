package dev.zdd.core.internal;

/** The answer to a blocking call that outlived its deadline (it was interrupted and may still have done its work). Internal. */
final class CallDeadline extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CallDeadline(String message) {
        super(message, null, false, false);
    }
}
