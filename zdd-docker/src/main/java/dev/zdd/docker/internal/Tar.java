package dev.zdd.docker.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a minimal POSIX ustar archive in memory (directories, regular files, symbolic links), enough for
 * {@code POST /images/create?fromSrc=-} (what {@code docker import} sends). Not thread-safe.
 */
public final class Tar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Adds a directory (name without a trailing slash). */
    public Tar directory(String name, int mode) {
        header(name + "/", mode, 0, '5', "");
        return this;
    }

    /** Adds a regular file. */
    public Tar file(String name, int mode, byte[] content) {
        header(name, mode, content.length, '0', "");
        out.writeBytes(content);
        pad(content.length);
        return this;
    }

    /** Adds a symbolic link {@code name -> target}. */
    public Tar symlink(String name, String target) {
        header(name, 0777, 0, '2', target);
        return this;
    }

    /** The archive, with its two closing zero blocks. */
    public byte[] finish() {
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private void header(String name, int mode, long size, char type, String link) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        put(h, 100, 8, octal(mode, 7));
        put(h, 108, 8, octal(0, 7));
        put(h, 116, 8, octal(0, 7));
        put(h, 124, 12, octal(size, 11));
        put(h, 136, 12, octal(0, 11));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, octal(sum, 6) + "\0 ");
        out.writeBytes(h);
    }

    private void pad(long size) {
        int rest = (int) (size % 512);
        if (rest != 0) {
            out.writeBytes(new byte[512 - rest]);
        }
    }

    private static String octal(long v, int width) {
        String s = Long.toOctalString(v);
        return "0".repeat(Math.max(0, width - s.length())) + s;
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length > len) {
            throw new IllegalArgumentException("tar field too long: '" + s + "'");
        }
        System.arraycopy(b, 0, h, off, b.length);
    }
}
