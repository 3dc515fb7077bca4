package dev.zdd.nginx.internal;

import dev.zdd.api.Arguments;
import dev.zdd.api.Endpoint;
import dev.zdd.nginx.StatusConnector;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How an nginx router learns what nginx serves after a reload: polls the zdd status location on fresh connections
 * (bounded by a timeout) until the wanted generation answers and only it answers for a settle time, and reads the new
 * lines of nginx's error log (an {@code [emerg]} line there means the master refused the reload). Immutable;
 * thread-safe (each call polls on its own connections).
 */
public final class Confirmation {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final int MAX_LOG_TAIL = 4096;
    private static final long POLL_INTERVAL_MILLIS = 5;

    private final StatusConnector connector;
    private final Endpoint status;
    private final String path;
    private final Duration timeout;
    private final Duration settle;
    private final Path errorLog;

    /**
     * @param connector how to reach the status server
     * @param status    where it listens
     * @param path      the status location's path
     * @param timeout   bound on one confirmation
     * @param settle    how long only the wanted answer must come
     * @param errorLog  nginx's error log, or null
     */
    public Confirmation(StatusConnector connector, Endpoint status, String path, Duration timeout, Duration settle,
                        Path errorLog) {
        this.connector = connector;
        this.status = status;
        this.path = path;
        this.timeout = timeout;
        this.settle = settle;
        this.errorLog = errorLog;
    }

    /** What to do when the wanted answer is late: after {@code after}, {@code check} once; its non-null answer fails. */
    public record Doubt(Duration after, Supplier<String> check) {
    }

    /** The generation the status server answers now, or "" when it does not answer. */
    public String served() {
        try {
            return StatusClient.get(connector, status, path, POLL_TIMEOUT);
        } catch (IOException e) {
            return "";
        }
    }

    /** Confirms generation {@code id}; null on success, else what went wrong. */
    public String generation(String id) {
        return await("generation " + id, id::equals, false, -1, null);
    }

    /**
     * Confirms generation {@code id}; with {@code logOffset} >= 0 and an error log, fails as soon as nginx logs an
     * {@code [emerg]} line after that offset; with a {@code doubt}, runs its check once when nothing wanted answered
     * within its time.
     */
    public String generation(String id, long logOffset, Doubt doubt) {
        return await("generation " + id, id::equals, false, logOffset, doubt);
    }

    /**
     * Polls until {@code wanted} accepts the answer (or, with {@code noAnswerAccepted}, nothing answers), and keeps
     * polling until only such answers came for the settle time. Returns null on success, else what went wrong.
     */
    public String await(String what, Predicate<String> wanted, boolean noAnswerAccepted, long logOffset, Doubt doubt) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long settleNanos = settle.toNanos();
        long doubtAt = doubt == null ? Long.MAX_VALUE : start + doubt.after().toNanos();
        long lastOther = -1;
        long firstNew = -1;
        String lastAnswer = null;
        String lastError = null;
        while (true) {
            boolean good;
            try {
                String body = StatusClient.get(connector, status, path, POLL_TIMEOUT);
                lastAnswer = body;
                good = wanted.test(body);
            } catch (IOException e) {
                lastError = e.toString();
                good = noAnswerAccepted;
            }
            long now = System.nanoTime();
            if (good) {
                if (firstNew < 0) {
                    firstNew = now;
                }
                if (now - Math.max(firstNew, lastOther) >= settleNanos) {
                    return null;
                }
            } else {
                lastOther = now;
                if (firstNew < 0 && logOffset >= 0 && errorLogSize() > logOffset) {
                    String log = rawLogSince(logOffset);
                    int emerg = log.indexOf("[emerg]");
                    if (emerg >= 0) {
                        int end = log.indexOf('\n', emerg);
                        return "nginx refused to reload and still serves other than " + what + " (its error log says "
                                + Arguments.printable(log.substring(emerg, end < 0 ? log.length() : end)) + ")";
                    }
                }
                if (firstNew < 0 && now >= doubtAt) {
                    doubtAt = Long.MAX_VALUE;
                    String problem = doubt.check().get();
                    if (problem != null) {
                        return problem;
                    }
                }
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
            if (!sleepMillis(POLL_INTERVAL_MILLIS)) {
                return "interrupted while waiting for " + what;
            }
        }
        return (firstNew < 0 ? "nginx did not serve " + what : "other answers kept coming instead of " + what)
                + " within " + timeout.toMillis() + " ms at http://" + status.authority() + path
                + " (last answer: " + (lastAnswer == null ? "none" : lastAnswer)
                + (lastError == null ? "" : ", last error: " + lastError) + ")";
    }

    /** The error log's size, or -1 without one. */
    public long errorLogSize() {
        try {
            return errorLog == null ? -1 : Files.size(errorLog);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The error log's lines after {@code offset} on one line, printable; "" when none. */
    public String errorLogSince(long offset) {
        return Arguments.printable(rawLogSince(offset).strip().replace('\n', '|'));
    }

    /** The error log's text after {@code offset} (at most its last {@link #MAX_LOG_TAIL} bytes); "" when none. */
    private String rawLogSince(long offset) {
        if (errorLog == null || offset < 0) {
            return "";
        }
        try (RandomAccessFile f = new RandomAccessFile(errorLog.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(offset, len - MAX_LOG_TAIL);
            if (from >= len) {
                return "";
            }
            byte[] b = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
