package dev.zdd.api;

import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.regex.Pattern;

/** Argument checks shared by the value types of this package. Package-private; not an extension point. */
final class Checks {
    /** Ids and names: safe in HAProxy commands, nginx config, Docker labels and file names. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** Hostnames, IPv4 and bare IPv6 literals. */
    static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)"
                    + "|(?:[0-9A-Fa-f:]{2,39}(?:%[A-Za-z0-9]{1,15})?)");
    /** Header and cookie names (an HTTP token subset). */
    static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Values of request keys in rules: no quotes, whitespace, separators or control characters. */
    static final Pattern VALUE = Pattern.compile("[A-Za-z0-9._~@+-]{1,128}");

    private Checks() {
    }

    static String name(String field, String value) {
        return matches(field, value, NAME, "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 63");
    }

    static String matches(String field, String value, Pattern pattern, String rule) {
        return Arguments.matches(field, value, pattern, rule);
    }

    static <T> T notNull(String field, T value) {
        return Arguments.notNull(field, value);
    }

    static Duration nonNegative(String field, Duration value) {
        return Arguments.nonNegative(field, value);
    }

    static Duration positive(String field, Duration value) {
        return Arguments.positive(field, value);
    }

    static int range(String field, int value, int min, int max) {
        return Arguments.range(field, value, min, max);
    }

    static <C extends Collection<?>> C noNulls(String field, C values) {
        notNull(field, values);
        for (Object o : values) {
            if (o == null) {
                throw new IllegalArgumentException(field + " must not contain null");
            }
        }
        return values;
    }

    /** Renders a bad value so that control characters are visible and cannot forge log lines. */
    static String printable(String value) {
        return Arguments.printable(value);
    }

    static <T> T require(T value) {
        return Objects.requireNonNull(value);
    }
}
