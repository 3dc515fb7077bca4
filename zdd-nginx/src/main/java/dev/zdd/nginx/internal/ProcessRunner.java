package dev.zdd.nginx.internal;

import dev.zdd.nginx.NginxControl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command from an argument list (never through a shell) with a timeout; output goes to a temporary file so that
 * a chatty command can never block on a full pipe. Stateless; thread-safe.
 */
public final class ProcessRunner {
    private static final int MAX_OUTPUT = 16_384;

    private ProcessRunner() {
    }

    /** Runs {@code command}; a timeout kills it and answers {@link NginxControl.Result#TIMED_OUT}. */
    public static NginxControl.Result run(List<String> command, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("zdd-nginx-", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                return new NginxControl.Result(NginxControl.Result.TIMED_OUT, "interrupted while running " + command);
            }
            if (!done) {
                p.destroyForcibly();
                return new NginxControl.Result(NginxControl.Result.TIMED_OUT,
                        "timed out after " + timeout.toMillis() + " ms: " + command + "\n" + read(out));
            }
            return new NginxControl.Result(p.exitValue(), read(out));
        } catch (IOException e) {
            return new NginxControl.Result(NginxControl.Result.NOT_STARTED, "cannot run " + command + ": " + e.getMessage());
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    private static String read(Path out) throws IOException {
        byte[] b = Files.readAllBytes(out);
        String s = new String(b, 0, Math.min(b.length, MAX_OUTPUT), StandardCharsets.UTF_8);
        return b.length > MAX_OUTPUT ? s + "..." : s;
    }
}
