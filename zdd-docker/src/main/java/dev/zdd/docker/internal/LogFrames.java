package dev.zdd.docker.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the body of {@code GET /containers/{id}/logs}: for a container without a TTY, Docker multiplexes stdout and
 * stderr into frames of an 8-byte header ({@code [stream, 0, 0, 0, size as big-endian uint32]}) and a payload; for a
 * container with a TTY the body is the raw output. Stateless; thread-safe.
 */
public final class LogFrames {
    private LogFrames() {
    }

    /** The text of all frames in order (stdout and stderr interleaved as Docker recorded them). */
    public static String decode(byte[] body) {
        if (!looksMultiplexed(body)) {
            return new String(body, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        int i = 0;
        while (i + 8 <= body.length) {
            long size = ((body[i + 4] & 0xffL) << 24) | ((body[i + 5] & 0xff) << 16) | ((body[i + 6] & 0xff) << 8)
                    | (body[i + 7] & 0xff);
            int start = i + 8;
            int end = (int) Math.min(body.length, start + size);
            out.write(body, start, end - start);
            i = end;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean looksMultiplexed(byte[] body) {
        return body.length >= 8 && body[0] >= 0 && body[0] <= 2 && body[1] == 0 && body[2] == 0 && body[3] == 0;
    }
}
