package dev.zdd.api;

import java.time.Duration;

/**
 * Runs a task after a delay; the only way zdd waits. The engine never sleeps: it schedules. The test kit's virtual
 * scheduler runs a one-hour canary in milliseconds.
 *
 * <p>Implementations are thread-safe. Tasks may run on any thread of the scheduler's; a task that throws does not stop
 * the scheduler.
 */
public interface Scheduler {
    /** The clock whose time this scheduler follows. */
    Clock clock();

    /**
     * Runs {@code task} once after {@code delay} (zero: as soon as possible).
     *
     * @return a handle that cancels the task if it has not started
     */
    Cancellable schedule(Duration delay, Runnable task);
}
