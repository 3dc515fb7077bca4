package dev.zdd.api;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Argument checks whose messages name the field and the bad value, and rendering of bad values for messages. The value
 * types of this package use them, as do the adapters (nginx, HAProxy, Docker) and users writing their own adapters, so
 * that every {@link IllegalArgumentException} reads alike: {@code "<field> must not be null"},
 * {@code "<field> must be positive, was PT0S"}, {@code "<field> 'a;b' is invalid: expected <rule>"}.
 *
 * <p>Stateless utility; thread-safe.
 */
public final class Arguments {
    /** How many characters {@link #printable(String)} shows before it cuts the value. */
    public static final int DEFAULT_PRINTABLE_MAX = 200;

    private Arguments() {
    }

    /** {@code v} when it is not null; otherwise {@code IllegalArgumentException("<field> must not be null")}. */
    public static <T> T notNull(String field, T v) {
        if (v == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return v;
    }

    /** {@code v} when it is not null and above zero; otherwise an {@link IllegalArgumentException} naming field and value. */
    public static Duration positive(String field, Duration v) {
        notNull(field, v);
        if (v.isNegative() || v.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, was " + v);
        }
        return v;
    }

    /** {@code v} when it is not null and not negative; otherwise an {@link IllegalArgumentException} naming field and value. */
    public static Duration nonNegative(String field, Duration v) {
        notNull(field, v);
        if (v.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, was " + v);
        }
        return v;
    }

    /** {@code v} when it is in {@code [min, max]}; otherwise an {@link IllegalArgumentException} naming field and value. */
    public static int range(String field, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], was " + v);
        }
        return v;
    }

    /**
     * {@code v} when it is not null and matches {@code p} entirely; otherwise an {@link IllegalArgumentException}
     * {@code "<field> '<printable value>' is invalid: expected <rule>"}.
     */
    public static String matches(String field, String v, Pattern p, String rule) {
        notNull(field, v);
        if (!p.matcher(v).matches()) {
            throw new IllegalArgumentException(field + " '" + printable(v) + "' is invalid: expected " + rule);
        }
        return v;
    }

    /**
     * {@code v} for a message: control characters (below 0x20, and 0x7f) shown as {@code \\uXXXX} so that a value cannot
     * forge log lines, cut after {@value #DEFAULT_PRINTABLE_MAX} characters (then {@code "..."}); {@code "null"} for null.
     */
    public static String printable(String v) {
        return printable(v, DEFAULT_PRINTABLE_MAX);
    }

    /** As {@link #printable(String)}, cut after {@code max} characters instead. */
    public static String printable(String v, int max) {
        if (v == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(v.length(), max) + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
            if (sb.length() > max) {
                return sb.append("...").toString();
            }
        }
        return sb.toString();
    }
}
