package dev.zdd.docker;

/**
 * Told about the progress of image pulls, for example to report it as deployment events. Called on the thread that
 * pulls, in the daemon's order; byte counts of one layer arrive at most every
 * {@link DockerClient#PROGRESS_INTERVAL} (status changes always). An exception thrown here is caught and logged, and the
 * pull goes on. Implementations must be thread-safe when one listener serves several launchers.
 */
@FunctionalInterface
public interface PullListener {
    /** Ignores everything. */
    PullListener NONE = progress -> { };

    /** One step of a pull. */
    void onProgress(PullProgress progress);
}
