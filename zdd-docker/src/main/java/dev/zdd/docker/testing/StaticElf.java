package dev.zdd.docker.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads just enough of an ELF file to tell whether it is statically linked: an executable with no {@code PT_INTERP}
 * program header needs no dynamic loader, so it runs alone in an image with no libc. Stateless; thread-safe.
 */
final class StaticElf {
    private static final int PT_INTERP = 3;

    private StaticElf() {
    }

    /** {@code true} when {@code file} is a well-formed ELF file with no program interpreter. */
    static boolean isStatic(byte[] file) {
        if (file.length < 52 || file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' || file[3] != 'F') {
            return false;
        }
        boolean is64 = file[4] == 2;
        if (!is64 && file[4] != 1) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(file[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (is64 && file.length < 64) {
            return false;
        }
        long phoff = is64 ? b.getLong(0x20) : Integer.toUnsignedLong(b.getInt(0x1C));
        int phentsize = Short.toUnsignedInt(b.getShort(is64 ? 0x36 : 0x2A));
        int phnum = Short.toUnsignedInt(b.getShort(is64 ? 0x38 : 0x2C));
        if (phnum == 0 || phentsize < 4 || phoff < 0 || phoff + (long) phentsize * phnum > file.length) {
            return false;
        }
        for (int i = 0; i < phnum; i++) {
            if (b.getInt((int) (phoff + (long) i * phentsize)) == PT_INTERP) {
                return false;
            }
        }
        return true;
    }
}
