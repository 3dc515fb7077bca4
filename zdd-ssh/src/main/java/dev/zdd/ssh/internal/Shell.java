package dev.zdd.ssh.internal;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Single-quoting for POSIX shells: inside single quotes nothing is special except the quote itself, which is written
 * as {@code '\''}. Callers validate parts against strict patterns first; quoting is the second line of defence.
 * Stateless; thread-safe.
 */
public final class Shell {
    private Shell() {
    }

    /** {@code s} single-quoted. */
    public static String quote(String s) {
        if (s.indexOf('\0') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a shell word must not contain NUL or a line break");
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Every part single-quoted, joined by spaces. */
    public static String join(List<String> parts) {
        return parts.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }
}
