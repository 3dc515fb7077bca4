package dev.zdd.core.internal.io;

/** Text helpers for messages: shorten and make control characters visible. Internal; stateless and thread-safe. */
public final class Texts {
    private Texts() {
    }

    /**
     * {@code value} on one line, at most {@code max} characters (then "..."), with control characters shown as
     * {@code \\uXXXX} so that it cannot forge log lines.
     */
    public static String snippet(String value, int max) {
        if (value == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(value.length(), max) + 8);
        for (int i = 0; i < value.length(); i++) {
            if (sb.length() >= max) {
                sb.append("...");
                break;
            }
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') {
                sb.append(' ');
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString().strip();
    }

    /** {@code true} when {@code value} contains a control character (below 0x20, or 0x7f). */
    public static boolean hasControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** Milliseconds of a duration, for messages ("1500 ms"). */
    public static String millis(java.time.Duration d) {
        return d.toMillis() + " ms";
    }
}
