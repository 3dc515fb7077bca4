package dev.zdd.nginx;

/**
 * Runs nginx's own commands for an {@link NginxRouter}: test the real main configuration ({@code nginx -t}) and ask
 * the running master to reload it ({@code nginx -s reload}). {@link LocalNginxControl} runs them on this machine; plug
 * your own implementation to run them elsewhere (for example over ssh) without subclassing the router.
 *
 * <p>Implementations must be thread-safe, must never wait without a timeout, and must report failures as a
 * {@link Result} with a non-zero exit code and nginx's own words rather than throwing where possible.
 */
public interface NginxControl {
    /** Tests the main configuration that includes the router's file, like {@code nginx -t}. */
    Result test();

    /** Signals the running master to reload its configuration, like {@code nginx -s reload}. */
    Result reload();

    /**
     * What a command did. Immutable; thread-safe.
     *
     * @param exitCode the command's exit code (0 = success; a timeout or a failure to start is reported as non-zero)
     * @param output   what it printed (stdout and stderr together), trimmed; never null
     */
    record Result(int exitCode, String output) {
        /** Exit code used when a command did not finish within its timeout. */
        public static final int TIMED_OUT = 124;
        /** Exit code used when a command could not be started at all. */
        public static final int NOT_STARTED = 127;

        /** Normalises a null output to the empty string. */
        public Result {
            output = output == null ? "" : output.strip();
        }

        /** {@code true} when the exit code is 0. */
        public boolean ok() {
            return exitCode == 0;
        }
    }
}
