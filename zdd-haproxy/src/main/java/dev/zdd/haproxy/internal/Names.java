package dev.zdd.haproxy.internal;

import dev.zdd.api.Arguments;

import java.util.regex.Pattern;

/**
 * Checks every user-supplied word before it reaches a HAProxy runtime API command, so that no name, address or map
 * entry can smuggle a second command ({@code ;}), a comment ({@code #}), a line break or an argument (whitespace).
 * Stateless; thread-safe.
 */
public final class Names {
    /** Proxy (backend) and server names: HAProxy allows letters, digits, '-', '_', '.' and ':'. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");
    /** IPv4 literals. */
    public static final Pattern IPV4 = Pattern.compile("(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}"
            + "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    /** IPv6 literals without brackets or zone. */
    public static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    /** Absolute map file paths. */
    public static final Pattern MAP_PATH = Pattern.compile("/[A-Za-z0-9._/-]{1,1000}");
    /** Map keys and values written by zdd. */
    public static final Pattern MAP_WORD = Pattern.compile("[A-Za-z0-9._~@+:-]{1,128}");

    private Names() {
    }

    /** A backend or server name; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public static String name(String field, String value) {
        return Arguments.matches(field, value, NAME, "letters, digits, '.', '_', ':' or '-', starting with a letter or digit, "
                + "at most 100 characters");
    }

    /** An IP literal usable in {@code add server}; hostnames are refused (dynamic servers cannot resolve them). */
    public static String ipLiteral(String field, String value) {
        if (value != null && (IPV4.matcher(value).matches() || (value.indexOf(':') >= 0 && IPV6.matcher(value).matches()))) {
            return value;
        }
        throw new IllegalArgumentException(field + " '" + Arguments.printable(value) + "' is invalid: expected an IPv4 or IPv6 "
                + "literal (HAProxy 2.6 cannot resolve host names of servers added at runtime)");
    }

    /** An absolute map file path. */
    public static String mapPath(String field, String value) {
        return Arguments.matches(field, value, MAP_PATH, "an absolute path of letters, digits, '.', '_', '-' and '/'");
    }

    /** A map key or value. */
    public static String mapWord(String field, String value) {
        return Arguments.matches(field, value, MAP_WORD, "letters, digits or . _ ~ @ + : -, 1 to 128 characters");
    }
}
