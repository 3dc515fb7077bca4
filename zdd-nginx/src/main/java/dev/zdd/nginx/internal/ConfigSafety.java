package dev.zdd.nginx.internal;

import java.util.regex.Pattern;

/**
 * Last line of defence before a value reaches an nginx config file: strict patterns, and a blunt refusal of every
 * character that could end a directive, open or close a block, start a variable or a comment, or quote. Stateless;
 * thread-safe.
 */
public final class ConfigSafety {
    /** Characters that never reach a config file. */
    private static final Pattern FORBIDDEN = Pattern.compile("[;{}\"'`$#\\\\\\s\\p{Cntrl}]");
    /** Upstream names: safe as part of nginx variable and upstream names. */
    public static final Pattern UPSTREAM_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
    /** Hostnames, IPv4 and bare IPv6 literals (the API's own pattern, checked again). */
    public static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)"
                    + "|(?:[0-9A-Fa-f:]{2,39})");
    /** Header names that nginx exposes as {@code $http_*} variables. */
    public static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]{1,64}");
    /** Cookie names that nginx exposes as {@code $cookie_*} variables (no '-': nginx variable names stop there). */
    public static final Pattern COOKIE = Pattern.compile("[A-Za-z0-9_]{1,64}");
    /** Rule values (the API's own pattern, checked again). */
    public static final Pattern VALUE = Pattern.compile("[A-Za-z0-9._~@+-]{1,128}");

    private ConfigSafety() {
    }

    /**
     * Returns {@code value} when it matches {@code allowed} and holds none of {@code ; { } " ' ` $ # \} whitespace or
     * control characters; otherwise throws {@link IllegalArgumentException} naming the field and the value.
     */
    public static String check(String field, String value, Pattern allowed, String rule) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        if (FORBIDDEN.matcher(value).find()) {
            throw new IllegalArgumentException(field + " '" + printable(value)
                    + "' is rejected: it contains a character that could inject nginx configuration"
                    + " (; { } quotes $ # \\ whitespace or control characters)");
        }
        if (!allowed.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " '" + printable(value) + "' is invalid: expected " + rule);
        }
        return value;
    }

    /** Checks a TCP port. */
    public static int port(String field, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(field + " must be in [1, 65535], was " + port);
        }
        return port;
    }

    /** Renders a value so that control characters are visible and cannot forge log lines. */
    public static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
            if (sb.length() > 200) {
                return sb.append("...").toString();
            }
        }
        return sb.toString();
    }
}
