package dev.zdd.docker;

import dev.zdd.api.Arguments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A container HEALTHCHECK set at create time (Docker runs it inside the container; {@link DockerHealthProbe} reads
 * the verdict). Immutable; thread-safe; change a field with the {@code with...} methods.
 *
 * <p>Example: {@code Healthcheck.exec("/bin/busybox", "wget", "-q", "-O-", "http://127.0.0.1:8080/health")}
 * runs the command directly (Docker's {@code CMD} form, no shell).
 *
 * @param test        Docker's {@code Test} array: {@code ["CMD", arg...]} or {@code ["CMD-SHELL", line]}
 * @param interval    time between checks; default {@link #DEFAULT_INTERVAL}
 * @param timeout     limit of one check; default {@link #DEFAULT_TIMEOUT}
 * @param retries     consecutive failures that make the container unhealthy; default {@link #DEFAULT_RETRIES}
 * @param startPeriod time after start during which failures do not count; default {@link #DEFAULT_START_PERIOD}
 */
public record Healthcheck(List<String> test, Duration interval, Duration timeout, int retries, Duration startPeriod) {
    /** Default time between checks: 1 s (Docker's own default of 30 s makes deployments slow). */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    /** Default limit of one check: 2 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Default consecutive failures that make the container unhealthy: 3. */
    public static final int DEFAULT_RETRIES = 3;
    /** Default start period: 0. */
    public static final Duration DEFAULT_START_PERIOD = Duration.ZERO;

    /** Validates; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public Healthcheck {
        Arguments.notNull("healthcheck.test", test);
        if (test.size() < 2 || !("CMD".equals(test.get(0)) || "CMD-SHELL".equals(test.get(0)))) {
            throw new IllegalArgumentException("healthcheck.test must be [\"CMD\", arg...] or [\"CMD-SHELL\", line], was " + test);
        }
        for (int i = 0; i < test.size(); i++) {
            String s = Arguments.notNull("healthcheck.test[" + i + "]", test.get(i));
            if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("healthcheck.test[" + i + "] must not contain NUL");
            }
        }
        test = List.copyOf(test);
        // Docker refuses intervals and timeouts below 1 ms
        atLeastMillis("healthcheck.interval", interval);
        atLeastMillis("healthcheck.timeout", timeout);
        Arguments.range("healthcheck.retries", retries, 1, 1000);
        Arguments.nonNegative("healthcheck.startPeriod", startPeriod);
    }

    private static void atLeastMillis(String field, Duration d) {
        Arguments.notNull(field, d);
        if (d.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException(field + " must be at least 1 ms, was " + d);
        }
    }

    /** Runs {@code command} (program and arguments, no shell) with the default timings. */
    public static Healthcheck exec(String... command) {
        List<String> test = new ArrayList<>();
        test.add("CMD");
        test.addAll(List.of(command));
        return new Healthcheck(test, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_START_PERIOD);
    }

    /** A copy with another interval. */
    public Healthcheck withInterval(Duration v) {
        return new Healthcheck(test, v, timeout, retries, startPeriod);
    }

    /** A copy with another timeout. */
    public Healthcheck withTimeout(Duration v) {
        return new Healthcheck(test, interval, v, retries, startPeriod);
    }

    /** A copy with another retry count. */
    public Healthcheck withRetries(int v) {
        return new Healthcheck(test, interval, timeout, v, startPeriod);
    }

    /** A copy with another start period. */
    public Healthcheck withStartPeriod(Duration v) {
        return new Healthcheck(test, interval, timeout, retries, v);
    }
}
