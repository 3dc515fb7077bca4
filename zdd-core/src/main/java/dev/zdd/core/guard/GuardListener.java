package dev.zdd.core.guard;

/**
 * Receives the {@link GuardEvent}s of a {@link Guard}, in order, one at a time. Must not block for long; an exception
 * it throws is logged and ignored. Implementations are called from the guard's threads.
 */
@FunctionalInterface
public interface GuardListener {
    /** Called for each event. */
    void onEvent(GuardEvent event);
}
