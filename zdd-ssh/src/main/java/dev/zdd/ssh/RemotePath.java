package dev.zdd.ssh;

import dev.zdd.api.Arguments;

import java.util.regex.Pattern;

/**
 * An absolute path on a remote host, checked like a local one before it can reach a remote command: it starts with
 * '/', has no empty, {@code .} or {@code ..} segment, and every segment is made of letters, digits and {@code . _ - + @}
 * (no spaces, quotes, '$', '`', '\', ';', '*', newlines or anything else a shell could read). It is single-quoted
 * when a command is built, so the check is a second line of defence and a readable refusal, not the only one.
 *
 * <p>Immutable; thread-safe; value semantics.
 *
 * @param value the path, e.g. {@code /etc/nginx/zdd/app.conf}
 */
public record RemotePath(String value) {
    /** One path segment: letters, digits and {@code . _ - + @}, 1 to 255 characters. */
    public static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._+@-]{1,255}");
    /** Longest path accepted: {@value}. */
    public static final int MAX_LENGTH = 1024;

    /** Validates; throws IllegalArgumentException naming the value and what is wrong. */
    public RemotePath {
        check("remote path", value);
    }

    /** Validates {@code value} as {@code field}. */
    public static RemotePath of(String field, String value) {
        check(field, value);
        return new RemotePath(value);
    }

    /** Validates {@code value}. */
    public static RemotePath of(String value) {
        return new RemotePath(value);
    }

    /** This path followed by {@code name} (one segment, validated). */
    public RemotePath resolve(String name) {
        Arguments.matches("path segment", name, SEGMENT, "letters, digits and . _ - + @");
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("path segment '" + name + "' is not allowed");
        }
        return new RemotePath(value.equals("/") ? "/" + name : value + "/" + name);
    }

    /** The parent directory ({@code /} for a top-level entry). */
    public RemotePath parent() {
        int i = value.lastIndexOf('/');
        return new RemotePath(i <= 0 ? "/" : value.substring(0, i));
    }

    /** The last segment. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    private static void check(String field, String value) {
        Arguments.notNull(field, value);
        String bad = null;
        if (value.length() > MAX_LENGTH) {
            bad = "longer than " + MAX_LENGTH + " characters";
        } else if (!value.startsWith("/")) {
            bad = "not absolute (must start with '/')";
        } else if (!value.equals("/")) {
            String[] parts = value.substring(1).split("/", -1);
            for (String p : parts) {
                if (p.isEmpty()) {
                    bad = "an empty segment ('//' or a trailing '/')";
                } else if (p.equals(".") || p.equals("..")) {
                    bad = "a '" + p + "' segment";
                } else if (!SEGMENT.matcher(p).matches()) {
                    bad = "a character other than letters, digits and . _ - + @ in '" + Arguments.printable(p, 40) + "'";
                }
                if (bad != null) {
                    break;
                }
            }
        }
        if (bad != null) {
            throw new IllegalArgumentException(field + " '" + Arguments.printable(value) + "' is invalid: " + bad);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
