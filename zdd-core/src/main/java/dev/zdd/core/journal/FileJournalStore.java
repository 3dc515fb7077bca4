package dev.zdd.core.journal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A {@link JournalStore} keeping one file per service, {@code <directory>/<service>.journal}, in the format of
 * {@link JournalCodec} (a header with length and SHA-256, then JSON a person can read).
 *
 * <p>Every write goes to a temporary file in the same directory, which is forced to disk ({@code fsync}), atomically
 * renamed over the journal, after which the directory itself is forced so that the rename survives a power cut. A crash
 * at any moment therefore leaves the previous record or the new one; a leftover temporary file is ignored (and removed
 * by the next write). A file damaged anyway (by a disk, a person, a tool) is reported by {@link #read(String)} as a
 * {@link JournalCorruptException} naming the file, never half-read.
 *
 * <p>Writes are conditional on the fencing token: under a guard file lock ({@code <service>.journal.guard}, held only
 * for the write, serialised inside the JVM by real path) the store reads the record it holds and refuses, with
 * {@link StaleTokenException}, a record whose {@link JournalRecord#fencingToken()} is lower: a deployer that lost its
 * lease cannot overwrite the journal of the one that took over.
 *
 * <p>Immutable; thread-safe (different processes should not deploy the same service at once: that is what
 * {@link dev.zdd.core.lock.DeploymentLock} is for).
 */
public final class FileJournalStore implements JournalStore {
    /** Suffix of journal files. */
    public static final String SUFFIX = ".journal";

    private static final Logger LOG = LoggerFactory.getLogger(FileJournalStore.class);
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final String TMP_PREFIX = ".tmp~";
    /** Longest wait for the guard lock of another process's write. */
    private static final java.time.Duration GUARD_WAIT = java.time.Duration.ofSeconds(10);

    private final Path directory;

    private FileJournalStore(Path directory) {
        this.directory = directory;
    }

    /**
     * A store in {@code directory}, created (with parents) if missing.
     *
     * @throws IllegalArgumentException when {@code directory} is null or exists and is not a directory
     * @throws JournalException         when it cannot be created
     */
    public static FileJournalStore in(Path directory) {
        if (directory == null) {
            throw new IllegalArgumentException("journal directory must not be null");
        }
        Path dir = directory.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("journal directory '" + dir + "' exists and is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new JournalException("cannot create journal directory " + dir + ": " + e, e);
        }
        try {
            return new FileJournalStore(dir.toRealPath());
        } catch (IOException e) {
            throw new JournalException("cannot resolve journal directory " + dir + ": " + e, e);
        }
    }

    /** The directory holding the journals. */
    public Path directory() {
        return directory;
    }

    /**
     * The journal file of {@code service}.
     *
     * @throws IllegalArgumentException when the service name is not a valid name
     */
    public Path file(String service) {
        if (service == null || !SERVICE.matcher(service).matches()) {
            throw new IllegalArgumentException("service '" + service + "' is invalid: expected letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit, at most 63");
        }
        return directory.resolve(service + SUFFIX);
    }

    /** Guards of the conditional writes inside this JVM, by real path of the guard file. */
    private static final java.util.concurrent.ConcurrentMap<Path, Object> GUARDS = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void write(JournalRecord record) {
        Path guard = file(record.service()).resolveSibling(record.service() + SUFFIX + ".guard");
        synchronized (GUARDS.computeIfAbsent(guard, g -> new Object())) {
            try (FileChannel gc = FileChannel.open(guard, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock gl = lockBounded(gc, guard);
                try {
                    refuseStale(record);
                    replace(record);
                } finally {
                    gl.release();
                }
            } catch (IOException e) {
                throw new JournalException("cannot lock journal guard " + guard + ": " + e, e);
            }
        }
    }

    /** The guard lock, waiting at most {@link #GUARD_WAIT} for another process's write to end. */
    private static java.nio.channels.FileLock lockBounded(FileChannel gc, Path guard) throws IOException {
        long end = System.nanoTime() + GUARD_WAIT.toNanos();
        while (true) {
            java.nio.channels.FileLock l = gc.tryLock();
            if (l != null) {
                return l;
            }
            if (System.nanoTime() - end > 0) {
                throw new JournalException("journal guard " + guard + " stayed locked by another process for "
                        + GUARD_WAIT);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    private void refuseStale(JournalRecord record) {
        Optional<JournalRecord> held;
        try {
            held = read(record.service());
        } catch (JournalException e) {
            return; // a damaged or unreadable record holds no token to protect; the write replaces it or says why not
        }
        if (held.isPresent() && held.get().fencingToken() > record.fencingToken()) {
            throw new StaleTokenException(record.service(), record.fencingToken(), held.get().fencingToken(),
                    held.get().deploymentId());
        }
    }

    private void replace(JournalRecord record) {
        Path file = file(record.service());
        byte[] bytes = JournalCodec.encode(record);
        removeLeftovers(record.service());
        Path tmp = directory.resolve(TMP_PREFIX + record.service() + "~" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + directory + " cannot rename atomically", e);
            }
            forceDirectory();
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new JournalException("cannot write journal " + file + ": " + e, e);
        }
        LOG.debug("journal {} written: {} (sequence {})", file, record.status(), record.sequence());
    }

    @Override
    public Optional<JournalRecord> read(String service) {
        Path file = file(service);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new JournalException("cannot read journal " + file + ": " + e, e);
        }
        JournalRecord record = JournalCodec.decode(bytes, file.toString());
        if (!record.service().equals(service)) {
            throw new JournalCorruptException(file.toString(), "it describes service '" + record.service()
                    + "', not '" + service + "'");
        }
        return Optional.of(record);
    }

    /** Removes temporary files a crash left behind for this service (they never hold the journal of record). */
    private void removeLeftovers(String service) {
        try (java.nio.file.DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory, TMP_PREFIX + service + "~*")) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
                LOG.info("removed temporary journal file {} left by an interrupted write", p);
            }
        } catch (IOException e) {
            LOG.debug("cannot clean temporary journal files in {}: {}", directory, e.toString());
        }
    }

    /** Makes the rename durable: fsync of the directory (a no-op where the platform cannot open directories). */
    private void forceDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException e) {
            LOG.debug("cannot fsync directory {} on this platform: {}", directory, e.toString());
        }
    }

    @Override
    public String toString() {
        return "FileJournalStore[" + directory + "]";
    }
}
