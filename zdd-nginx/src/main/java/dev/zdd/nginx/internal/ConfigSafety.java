package dev.zdd.nginx.internal;

import dev.zdd.api.Arguments;

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
        Arguments.notNull(field, value);
        if (FORBIDDEN.matcher(value).find()) {
            throw new IllegalArgumentException(field + " '" + Arguments.printable(value)
                    + "' is rejected: it contains a character that could inject nginx configuration"
                    + " (; { } quotes $ # \\ whitespace or control characters)");
        }
        return Arguments.matches(field, value, allowed, rule);
    }

    /** Checks a TCP port. */
    public static int port(String field, int port) {
        return Arguments.range(field, port, 1, 65535);
    }
}
