package dev.zdd.ssh;

/**
 * What a remote command did. Immutable; thread-safe.
 *
 * @param exitCode the exit status ({@link #SIGNALLED} when the remote process ended by a signal without one)
 * @param stdout   standard output (UTF-8, cut at the pool's limit)
 * @param stderr   standard error (UTF-8, cut at the pool's limit)
 */
public record ExecResult(int exitCode, String stdout, String stderr) {
    /** Exit code reported when the remote process ended without an exit status (killed by a signal). */
    public static final int SIGNALLED = 255;

    /** Normalises null outputs to "". */
    public ExecResult {
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }

    /** {@code true} when the exit code is 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /** Standard output and error together, trimmed (for messages). */
    public String output() {
        String o = stdout.strip();
        String e = stderr.strip();
        return o.isEmpty() ? e : e.isEmpty() ? o : o + "\n" + e;
    }
}
