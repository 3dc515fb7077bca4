package dev.zdd.ssh.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** An output stream that keeps at most {@code limit} bytes and drops the rest. Thread-safe (synchronized). */
public final class LimitedBuffer extends OutputStream {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final int limit;
    private boolean cut;

    /** A buffer keeping at most {@code limit} bytes. */
    public LimitedBuffer(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        if (buf.size() < limit) {
            buf.write(b);
        } else {
            cut = true;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = Math.max(0, Math.min(len, limit - buf.size()));
        buf.write(b, off, room);
        if (room < len) {
            cut = true;
        }
    }

    /** Whether bytes were dropped. */
    public synchronized boolean cut() {
        return cut;
    }

    /** The kept bytes as UTF-8 text. */
    public synchronized String text() {
        return buf.toString(StandardCharsets.UTF_8);
    }
}
