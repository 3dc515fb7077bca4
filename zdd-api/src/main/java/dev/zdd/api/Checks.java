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
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " '" + printable(value) + "' is invalid: expected " + rule);
        }
        return value;
    }

    static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    static Duration nonNegative(String field, Duration value) {
        notNull(field, value);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, was " + value);
        }
        return value;
    }

    static Duration positive(String field, Duration value) {
        notNull(field, value);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
        return value;
    }

    static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], was " + value);
        }
        return value;
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
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
            if (sb.length() > 200) {
                sb.append("...");
                break;
            }
        }
        return sb.toString();
    }

    static <T> T require(T value) {
        return Objects.requireNonNull(value);
    }
}
