package dev.zdd.nginx.internal;

import dev.zdd.nginx.NginxControl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command from an argument list (never through a shell) with a timeout. Its output (stdout and stderr) goes to
 * a private temporary file, not a pipe, so a background child that inherits the output and outlives the command can
 * never block the caller; the caller only waits for the command itself, bounded by the timeout and interruptible. At
 * the timeout or on interrupt the command and its descendants are killed. Stateless; thread-safe.
 */
public final class ProcessRunner {
    private static final int MAX_OUTPUT = 16_384;

    private ProcessRunner() {
    }

    /**
     * Runs {@code command}; a timeout kills it and answers {@link NginxControl.Result#TIMED_OUT}, and so does an
     * interrupt (the thread's interrupt flag is set again).
     */
    public static NginxControl.Result run(List<String> command, Duration timeout) {
        Path out;
        try {
            out = Files.createTempFile("zdd-nginx-command-", ".out");
        } catch (IOException e) {
            return new NginxControl.Result(NginxControl.Result.NOT_STARTED,
                    "cannot run " + command + ": no temporary file for its output: " + e.getMessage());
        }
        try {
            Process p;
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            } catch (IOException e) {
                return new NginxControl.Result(NginxControl.Result.NOT_STARTED,
                        "cannot run " + command + ": " + e.getMessage());
            }
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill(p);
                    return new NginxControl.Result(NginxControl.Result.TIMED_OUT,
                            "timed out after " + timeout.toMillis() + " ms: " + command + "\n" + read(out));
                }
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                return new NginxControl.Result(NginxControl.Result.TIMED_OUT, "interrupted while running " + command);
            }
            return new NginxControl.Result(p.exitValue(), read(out));
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** At most {@link #MAX_OUTPUT} bytes of the output, with "..." when there was more. */
    private static String read(Path out) {
        try (InputStream in = Files.newInputStream(out)) {
            byte[] b = in.readNBytes(MAX_OUTPUT + 1);
            if (b.length > MAX_OUTPUT) {
                return new String(b, 0, MAX_OUTPUT, StandardCharsets.UTF_8) + "...";
            }
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "reading the output failed: " + e;
        }
    }
}
