package dev.zdd.docker.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogFramesTest {
    private static void frame(ByteArrayOutputStream out, int stream, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(new byte[] {(byte) stream, 0, 0, 0, (byte) (b.length >>> 24), (byte) (b.length >>> 16),
                (byte) (b.length >>> 8), (byte) b.length});
        out.writeBytes(b);
    }

    @Test
    void demultiplexesStdoutAndStderrInOrder() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frame(out, 1, "starting\n");
        frame(out, 2, "fatal: cannot open database\n");
        frame(out, 1, "x".repeat(300) + "\n");
        assertEquals("starting\nfatal: cannot open database\n" + "x".repeat(300) + "\n", LogFrames.decode(out.toByteArray()));
    }

    @Test
    void rawOutputOfATtyContainerIsKept() {
        assertEquals("plain tty output\n", LogFrames.decode("plain tty output\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", LogFrames.decode(new byte[0]));
    }

    @Test
    void truncatedLastFrameKeepsWhatArrived() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frame(out, 1, "complete\n");
        byte[] full = out.toByteArray();
        ByteArrayOutputStream more = new ByteArrayOutputStream();
        more.writeBytes(full);
        more.writeBytes(new byte[] {1, 0, 0, 0, 0, 0, 0, 10, 'a', 'b'});
        assertEquals("complete\nab", LogFrames.decode(more.toByteArray()));
    }
}
