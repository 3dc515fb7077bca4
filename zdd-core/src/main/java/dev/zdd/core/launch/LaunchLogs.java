package dev.zdd.core.launch;

import dev.zdd.core.internal.io.Texts;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The last lines of a launched process's log, for launch errors that opt in. Package-private; stateless. */
final class LaunchLogs {
    private static final int TAIL_BYTES = 16 * 1024;

    private LaunchLogs() {
    }

    /** The last {@code lineCount} lines of {@code log} (from its last 16 KiB), each quoted and cut to 500 characters. */
    static String tail(Path log, int lineCount) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - TAIL_BYTES);
            byte[] buf = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(buf);
            String text = new String(buf, StandardCharsets.UTF_8);
            String[] lines = text.split("\r?\n");
            int start = Math.max(from > 0 ? 1 : 0, lines.length - lineCount);
            StringBuilder sb = new StringBuilder();
            for (int i = start; i < lines.length; i++) {
                sb.append("  | ").append(Texts.snippet(lines[i], 500)).append('\n');
            }
            return sb.length() == 0 ? "  (log is empty)" : sb.toString().stripTrailing();
        } catch (IOException e) {
            return "  (cannot read log: " + e.getMessage() + ")";
        }
    }
}
