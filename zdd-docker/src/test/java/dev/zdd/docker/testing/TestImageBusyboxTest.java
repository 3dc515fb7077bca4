package dev.zdd.docker.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression (issue 14): the Docker integration tests failed in set-up with NoSuchFileException /bin/busybox where
 * busybox-static was not installed; now the test image says why it cannot be made, and a dynamically linked busybox
 * (which cannot run in an image with no libc) counts as missing too.
 */
class TestImageBusyboxTest {
    @TempDir
    Path dir;

    /** A minimal ELF header and program header table with the given program header types. */
    private static byte[] elf(boolean is64, ByteOrder order, int... types) {
        int ehsize = is64 ? 64 : 52;
        int phentsize = is64 ? 56 : 32;
        ByteBuffer b = ByteBuffer.allocate(ehsize + phentsize * types.length).order(order);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), (byte) (order == ByteOrder.BIG_ENDIAN ? 2 : 1), 1});
        if (is64) {
            b.putLong(0x20, ehsize).putShort(0x36, (short) phentsize).putShort(0x38, (short) types.length);
        } else {
            b.putInt(0x1C, ehsize).putShort(0x2A, (short) phentsize).putShort(0x2C, (short) types.length);
        }
        for (int i = 0; i < types.length; i++) {
            b.putInt(ehsize + i * phentsize, types[i]);
        }
        return b.array();
    }

    private Path executable(String name, byte[] content) throws Exception {
        Path p = Files.write(dir.resolve(name), content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void tellsStaticFromDynamicElf() {
        int load = 1;
        int interp = 3;
        assertTrue(StaticElf.isStatic(elf(true, ByteOrder.LITTLE_ENDIAN, load, load)));
        assertTrue(StaticElf.isStatic(elf(false, ByteOrder.BIG_ENDIAN, load)));
        assertFalse(StaticElf.isStatic(elf(true, ByteOrder.LITTLE_ENDIAN, 6, interp, load)));
        assertFalse(StaticElf.isStatic(elf(false, ByteOrder.LITTLE_ENDIAN, interp)));
        assertFalse(StaticElf.isStatic("#!/bin/sh\nexec busybox \"$@\"\n".repeat(4).getBytes()), "a script");
        byte[] truncated = elf(true, ByteOrder.LITTLE_ENDIAN, load);
        assertFalse(StaticElf.isStatic(java.util.Arrays.copyOf(truncated, truncated.length - 1)), "table past the end");
        assertFalse(StaticElf.isStatic(new byte[0]));
    }

    @Test
    void busyboxProblemSaysWhatIsWrong() throws Exception {
        Path missing = dir.resolve("busybox");
        assertEquals(missing + " is not installed", TestImage.busyboxProblem(missing));
        assertEquals("/dev/null is not installed", TestImage.busyboxProblem(Path.of("/dev/null")), "a masked binary");

        Path notExecutable = Files.write(dir.resolve("plain"), elf(true, ByteOrder.LITTLE_ENDIAN, 1));
        assertEquals(notExecutable + " is not installed", TestImage.busyboxProblem(notExecutable));

        // the JVM running this test is a real, dynamically linked executable
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path dynamic = executable("dynamic-busybox", Files.readAllBytes(java));
        assertEquals(dynamic + " is not a statically linked executable", TestImage.busyboxProblem(dynamic));

        assertNull(TestImage.busyboxProblem(executable("static-busybox", elf(true, ByteOrder.LITTLE_ENDIAN, 1))));
    }
}
