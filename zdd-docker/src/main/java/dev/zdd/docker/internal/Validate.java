package dev.zdd.docker.internal;

import dev.zdd.api.Arguments;

import java.util.regex.Pattern;

/** Argument checks of zdd-docker: every message names the field and the bad value. Stateless; thread-safe. */
public final class Validate {
    /** Container names (as Docker accepts them). */
    public static final Pattern CONTAINER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** Container ids (full or short) or names. */
    public static final Pattern CONTAINER_REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** Environment variable names. */
    public static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** Label keys (reverse-DNS style, as Docker recommends). */
    public static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,127}");
    /** Network names. */
    public static final Pattern NETWORK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** Stop signals: a name such as SIGTERM or a number. */
    public static final Pattern SIGNAL = Pattern.compile("SIG[A-Z0-9+-]{1,12}|[0-9]{1,2}");
    /** Host IPs for port bindings: IPv4 or IPv6 literals. */
    public static final Pattern HOST_IP = Pattern.compile("[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[0-9A-Fa-f:]{2,39}");

    private Validate() {
    }

    /** {@code value} when it has no NUL, CR or LF (safe in a label, a log line, an argument). */
    public static String noControl(String field, String value) {
        Arguments.notNull(field, value);
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(field + " '" + Arguments.printable(value) + "' contains a control character");
        }
        return value;
    }
}
