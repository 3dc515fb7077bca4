package dev.zdd.core.internal;

import java.time.Duration;

/** Formatting helpers for messages and logs. Stateless; thread-safe. Internal. */
public final class Texts {
    private Texts() {
    }

    /** A short human duration: {@code 0s}, {@code 250ms}, {@code 5s}, {@code 1m30s}, {@code 2h}. */
    public static String duration(Duration d) {
        if (d.isNegative()) {
            return "-" + duration(d.negated());
        }
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (seconds == 0 && nanos == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (s > 0) {
            sb.append(s).append('s');
        }
        if (nanos > 0) {
            if (nanos % 1_000_000 == 0) {
                sb.append(nanos / 1_000_000).append("ms");
            } else {
                sb.append(nanos).append("ns");
            }
        }
        return sb.toString();
    }

    /** {@code text} cut to about {@code max} characters, saying how much was left out. */
    public static String brief(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "... (" + (text.length() - max) + " more characters)";
    }

    /** What an exception says: its message, or its class name when it has none. Never the stack or the object. */
    public static String message(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** {@code text} with control characters shown as {@code \\uXXXX}, so that it cannot forge log lines; at most 500 characters. */
    public static String printable(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 520));
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
            if (sb.length() > 500) {
                return sb.append("...").toString();
            }
        }
        return sb.toString();
    }
}
