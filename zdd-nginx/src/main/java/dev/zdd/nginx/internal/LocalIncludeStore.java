package dev.zdd.nginx.internal;

import dev.zdd.nginx.IncludeStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The default {@link IncludeStore}: a file on this machine, replaced by writing a temp file next to it and renaming it
 * over the file (atomic on one file system). Not fsynced: after a power loss, apply again. Immutable; thread-safe.
 */
public final class LocalIncludeStore implements IncludeStore {
    private final Path file;

    /** A store for {@code file} (made absolute). */
    public LocalIncludeStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The file. */
    public Path file() {
        return file;
    }

    @Override
    public String read() throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void write(String text) throws IOException {
        if (text == null) {
            Files.deleteIfExists(file);
            return;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".zdd-tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
