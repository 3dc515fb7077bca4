package dev.zdd.nginx;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Test helper: one GET on a fresh connection through nginx; answers the version that served it. */
final class Http {
    private Http() {
    }

    /** The {@code X-Version} of a 200 answer; throws on anything else. */
    static String version(int port, Map<String, String> headers) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(5000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            StringBuilder req = new StringBuilder("GET / HTTP/1.0\r\nHost: test\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            OutputStream out = s.getOutputStream();
            out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!answer.startsWith("HTTP/1.1 200")) {
                throw new IOException("not a 200: " + answer.lines().findFirst().orElse(""));
            }
            for (String line : answer.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("x-version:")) {
                    return line.substring(10).trim();
                }
            }
            throw new IOException("no X-Version in " + answer);
        }
    }

    static String version(int port) throws IOException {
        return version(port, Map.of());
    }

    /** Counts the versions of {@code n} requests. */
    static Map<String, Integer> count(int port, int n, Map<String, String> headers) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            out.merge(version(port, headers), 1, Integer::sum);
        }
        return out;
    }
}
