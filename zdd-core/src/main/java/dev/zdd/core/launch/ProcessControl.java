package dev.zdd.core.launch;

import dev.zdd.api.LaunchException;
import dev.zdd.core.internal.io.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@link ProcessLauncher} does to processes it may not have started itself: tell a live process from a reused pid
 * (pid plus start time, and the launch token in {@code /proc/<pid>/environ}), find a process by its launch token, and
 * stop a process and its descendants (SIGTERM, the grace, SIGKILL, bounded waits). Package-private; thread-safe.
 */
final class ProcessControl {
    /** Name of the environment variable carrying a launch's token. */
    static final String TOKEN_VARIABLE = "ZDD_LAUNCH_TOKEN";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessLauncher.class);
    private static final Path PROC = Path.of("/proc");

    private final Duration killWait;

    ProcessControl(Duration killWait) {
        this.killWait = killWait;
    }

    /** A live process with this pid and start time (epoch ms; negative: unknown, never matches). */
    static Optional<ProcessHandle> live(long pid, long started) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive() || started < 0) {
            return Optional.empty();
        }
        return startMillis(h.get()) == started ? h : Optional.empty();
    }

    /** The process's start time in epoch ms, or -1 when the platform does not tell. */
    static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    /** A number attribute, or null when absent or not a number. */
    static Long parseLong(String v) {
        try {
            return v == null ? null : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The current process's pid and start time (epoch ms). */
    static long[] self() {
        ProcessHandle me = ProcessHandle.current();
        return new long[] {me.pid(), startMillis(me)};
    }

    /**
     * Whether process {@code pid} was started with {@code token} in its environment: {@code Optional.empty()} when
     * that cannot be read (no {@code /proc}, another user's process, the process is gone).
     */
    static Optional<Boolean> carriesToken(long pid, String token) {
        try {
            byte[] env = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
            return Optional.of(containsEntry(env, TOKEN_VARIABLE + "=" + token));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static boolean containsEntry(byte[] environ, String entry) {
        byte[] want = entry.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start == want.length && java.util.Arrays.equals(environ, start, i, want, 0, want.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Whether processes can be identified by their environment here (Linux {@code /proc}). */
    static boolean canReadEnvironments() {
        return carriesToken(ProcessHandle.current().pid(), "-").isPresent();
    }

    /** The live process whose environment carries {@code token} (a scan of {@code /proc}), if any. */
    static Optional<ProcessHandle> findByToken(String token) {
        if (!Files.isDirectory(PROC)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path p : all) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (carriesToken(pid, token).orElse(false)) {
                    Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
                    if (h.isPresent()) {
                        return h;
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot scan {} for a launch token: {}", PROC, e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * SIGTERM, up to {@code grace} for the process to exit, then its descendants still alive get SIGTERM and the rest of
     * the grace; what is left, or a process that outlives the grace, gets SIGKILL.
     *
     * @throws LaunchException when the process is still alive {@code killWait} after SIGKILL
     */
    void stop(String id, ProcessHandle handle, Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = handle.descendants().toList();
        long t0 = System.nanoTime();
        long deadline = t0 + grace.toNanos();
        handle.destroy();
        if (waitExit(handle, grace)) {
            LOG.info("retired target {} (pid {}) with SIGTERM in {} ms", id, handle.pid(), (System.nanoTime() - t0) / 1_000_000);
            // descendants left behind (no parent will signal them any more) get SIGTERM and the rest of the same grace
            List<ProcessHandle> left = descendants.stream().filter(ProcessHandle::isAlive).toList();
            left.forEach(ProcessHandle::destroy);
            for (ProcessHandle d : left) {
                waitExit(d, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            if (left.stream().anyMatch(ProcessHandle::isAlive)) {
                LOG.warn("target {}: descendants of pid {} still alive at the end of the grace period; sending SIGKILL", id,
                        handle.pid());
            }
            killLeft(descendants);
            return;
        }
        LOG.warn("target {} (pid {}) did not exit within {} of SIGTERM; sending SIGKILL", id, handle.pid(), Texts.millis(grace));
        handle.destroyForcibly();
        killLeft(descendants);
        if (!waitExit(handle, killWait)) {
            throw new LaunchException("target " + id + " (pid " + handle.pid() + ") is still alive " + Texts.millis(killWait)
                    + " after SIGKILL");
        }
    }

    static void killLeft(List<ProcessHandle> descendants) {
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroyForcibly();
            }
        }
    }

    /**
     * Waits up to {@code wait} for the process to exit. Also polls {@code isAlive} every 20 ms: for a process this JVM
     * did not start (retired after a restart, through the inventory) {@code onExit} may notice the exit only late,
     * which made every such retire wait out its whole grace period.
     */
    static boolean waitExit(ProcessHandle handle, Duration wait) {
        long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
        CompletableFuture<ProcessHandle> exit = handle.onExit();
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                exit.get(Math.max(1, Math.min(20, left / 1_000_000)), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                if (!handle.isAlive()) {
                    return true;
                }
                if (left <= 0) {
                    return false;
                }
            } catch (ExecutionException e) {
                return !handle.isAlive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !handle.isAlive();
            }
        }
    }
}
