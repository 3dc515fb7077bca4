package dev.zdd.core.lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** File operations of {@link FileDeploymentLock}. Stateless; thread-safe. Package-private. */
final class LockFiles {
    private static final Logger LOG = LoggerFactory.getLogger(FileDeploymentLock.class);
    private static final int MAX = 4096;

    private LockFiles() {
    }

    /** The file's identity (device and inode) without opening it, or null when it does not exist. */
    static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    static FileChannel open(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open lock file " + file + ": " + e, e);
        }
    }

    static void write(FileChannel ch, LockFileRecord record) throws IOException {
        byte[] bytes = record.encode();
        ch.truncate(0);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long pos = 0;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
        ch.force(true);
    }

    /** Atomically replaces {@code file} by a new file holding {@code record}. */
    static void replace(Path file, LockFileRecord record) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp~" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.write(tmp, record.encode(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads through a channel this JVM holds (never closes it). */
    static Optional<LockFileRecord> read(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0 || size > MAX) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        long pos = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        return LockFileRecord.parse(LockFileRecord.text(buf.array(), buf.position()));
    }

    /**
     * Reads by path. Opens and closes the file: never call it on a file this JVM holds a lock on (the close would drop
     * the process's POSIX lock).
     */
    static Optional<LockFileRecord> read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return bytes.length > MAX ? Optional.empty() : LockFileRecord.parse(LockFileRecord.text(bytes, bytes.length));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.debug("cannot read lock file {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    static void releaseQuietly(FileLock fl, FileChannel ch) {
        try {
            fl.release();
        } catch (IOException e) {
            LOG.debug("cannot release lock: {}", e.toString());
        }
        closeQuietly(ch);
    }

    static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("cannot close lock file: {}", e.toString());
        }
    }
}
