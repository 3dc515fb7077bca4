package dev.zdd.ssh;

import dev.zdd.api.Endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A tiny HTTP/1.0 GET for tests: body of a 200, else an IOException. */
final class Http {
    private Http() {
    }

    static String get(Endpoint e, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(3000);
            s.connect(new InetSocketAddress(e.host(), e.port()), 3000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!answer.startsWith("HTTP/1.") || !answer.substring(9, 12).equals("200")) {
                throw new IOException("not a 200 from " + e + ": " + answer.lines().findFirst().orElse(""));
            }
            return answer.substring(answer.indexOf("\r\n\r\n") + 4).strip();
        }
    }
}
