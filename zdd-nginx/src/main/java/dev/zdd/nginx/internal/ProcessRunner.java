package dev.zdd.nginx.internal;

import dev.zdd.nginx.NginxControl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a command from an argument list (never through a shell) with a timeout. The calling thread reads the output to
 * its end (the end comes the moment the command exits, with no extra thread hand-off on the critical path of a
 * switch); a watchdog kills the command at the timeout, which ends the output too. Stateless; thread-safe.
 */
public final class ProcessRunner {
    private static final int MAX_OUTPUT = 16_384;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "zdd-nginx-command-timeout");
        t.setDaemon(true);
        return t;
    });

    private ProcessRunner() {
    }

    /** Runs {@code command}; a timeout kills it and answers {@link NginxControl.Result#TIMED_OUT}. */
    public static NginxControl.Result run(List<String> command, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            return new NginxControl.Result(NginxControl.Result.NOT_STARTED, "cannot run " + command + ": " + e.getMessage());
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            timedOut.set(true);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        String output;
        try (InputStream in = p.getInputStream()) {
            byte[] b = in.readNBytes(MAX_OUTPUT);
            output = new String(b, StandardCharsets.UTF_8);
            if (b.length == MAX_OUTPUT) {
                output += "...";
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        } catch (IOException e) {
            output = "reading the output failed: " + e;
        }
        try {
            // output ended: the command exited (or was killed); the exit code follows at once, still bounded
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                timedOut.set(true);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            watchdog.cancel(false);
            return new NginxControl.Result(NginxControl.Result.TIMED_OUT, "interrupted while running " + command);
        }
        watchdog.cancel(false);
        if (timedOut.get()) {
            return new NginxControl.Result(NginxControl.Result.TIMED_OUT,
                    "timed out after " + timeout.toMillis() + " ms: " + command + "\n" + output);
        }
        return new NginxControl.Result(p.exitValue(), output);
    }
}
