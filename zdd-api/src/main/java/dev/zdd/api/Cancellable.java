package dev.zdd.api;

/** Something scheduled that can still be called off. Thread-safe. */
@FunctionalInterface
public interface Cancellable {
    /**
     * Cancels if not yet started.
     *
     * @return {@code true} when this call prevented the task from running
     */
    boolean cancel();
}
