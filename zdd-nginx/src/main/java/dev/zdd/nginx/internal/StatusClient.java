package dev.zdd.nginx.internal;

import dev.zdd.api.Endpoint;
import dev.zdd.nginx.StatusConnector;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads zdd's status location over a fresh HTTP/1.0 connection each time (so that the answer comes from whichever
 * worker generation accepts new connections now). Stateless; thread-safe.
 */
public final class StatusClient {
    private static final int MAX_ANSWER = 4096;

    private StatusClient() {
    }

    /**
     * The body of {@code GET path}, trimmed.
     *
     * @throws IOException when nothing answers in time or the answer is not a 200
     */
    public static String get(Endpoint endpoint, String path, Duration timeout) throws IOException {
        return get(StatusConnector.DIRECT, endpoint, path, timeout);
    }

    /** As {@link #get(Endpoint, String, Duration)}, connecting through {@code connector}. */
    public static String get(StatusConnector connector, Endpoint endpoint, String path, Duration timeout)
            throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket socket = connector.connect(endpoint, timeout)) {
            socket.setSoTimeout(millis);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: " + endpoint.authority() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(MAX_ANSWER);
            String s = new String(answer, StandardCharsets.ISO_8859_1);
            if (!s.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer from " + endpoint);
            }
            int sp = s.indexOf(' ');
            String status = s.length() >= sp + 4 ? s.substring(sp + 1, sp + 4) : "";
            int headerEnd = s.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                throw new IOException("truncated HTTP answer from " + endpoint);
            }
            if (!"200".equals(status)) {
                throw new IOException("status " + status + " from http://" + endpoint.authority() + path);
            }
            return s.substring(headerEnd + 4).trim();
        }
    }
}
