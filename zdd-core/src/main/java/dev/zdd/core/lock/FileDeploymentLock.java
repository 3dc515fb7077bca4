package dev.zdd.core.lock;

import dev.zdd.api.Arguments;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zdd.api.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link DeploymentLock} for deployments started on one machine: an operating-system file lock
 * ({@link FileChannel#tryLock()}) on {@code <directory>/<service>.lock}, held for the whole deployment, with the owner
 * (deployment id, pid, host, start time) written into the file so that a refused deployment can say who holds it.
 *
 * <p>Stale locks: the operating system releases the file lock when its process dies, so a crashed deployment never
 * blocks the next one; the next one finds the dead owner's record in the file, takes over and reports it
 * ({@link Lease#tookOverFrom()}, a WARN log). A lock still held at the operating-system level is broken only when its
 * owner is on this host and its process is not running (a lock inherited by another process), or when it is older than
 * {@link Builder#staleAfter(Duration)} (the owner is assumed stuck): the file is then removed under a second lock
 * ({@code <service>.lock.break}) and a fresh one is taken. Every acquisition checks that the file it locked is still
 * the one at the path (same device and inode), so two processes never both believe they hold it. Because POSIX record
 * locks belong to a process and are dropped when any descriptor of the file is closed, acquisitions inside one JVM are
 * serialised and a lock file held by this JVM is never reopened by it.
 *
 * <p>Works on local file systems; network file systems' locking is not relied upon. Immutable; thread-safe.
 */
public final class FileDeploymentLock implements DeploymentLock {
    /** Default age after which a held lock is considered stuck and broken: 24 hours. */
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofHours(24);
    /** Suffix of lock files. */
    public static final String SUFFIX = ".lock";

    private static final Logger LOG = LoggerFactory.getLogger(FileDeploymentLock.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final int ATTEMPTS = 3;
    /** Longest time spent re-reading the owner record of a lock just taken by another process. */
    private static final Duration OWNER_READ_WAIT = Duration.ofSeconds(2);
    /** Locks held by this JVM, by file; guarded by itself. */
    private static final java.util.Map<Path, FileLease> HELD = new java.util.HashMap<>();

    private final Path directory;
    private final Duration staleAfter;
    private final Clock clock;

    private FileDeploymentLock(Builder b) {
        this.directory = b.directory;
        this.staleAfter = b.staleAfter;
        this.clock = b.clock;
    }

    /** A builder; {@link Builder#directory(Path)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A lock in {@code directory} with every default. */
    public static FileDeploymentLock in(Path directory) {
        return builder().directory(directory).build();
    }

    /** The lock file of {@code service}. */
    public Path file(String service) {
        if (service == null || !SERVICE.matcher(service).matches()) {
            throw new IllegalArgumentException("service '" + service + "' is invalid: expected letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit, at most 63");
        }
        return directory.resolve(service + SUFFIX);
    }

    @Override
    public Lease tryAcquire(String service, LockOwner owner) {
        Path file = file(service);
        if (owner == null) {
            throw new IllegalArgumentException("lock owner must not be null");
        }
        // POSIX record locks belong to the process, and closing ANY descriptor of the file releases them: inside one
        // JVM, acquisitions are serialised and a file held here is never opened again until released.
        synchronized (HELD) {
            FileLease mine = HELD.get(file);
            if (mine != null) {
                throw new LockHeldException(service, mine.owner, "held in this process");
            }
            FileLease lease = acquire(service, file, owner);
            HELD.put(file, lease);
            return lease;
        }
    }

    private FileLease acquire(String service, Path file, LockOwner owner) {
        LockOwner broken = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Object keyBefore = fileKey(file);
            FileChannel ch = open(file);
            FileLock fl;
            try {
                fl = ch.tryLock();
            } catch (IOException e) {
                closeQuietly(ch);
                throw new IllegalStateException("cannot lock " + file + ": " + e, e);
            }
            if (fl == null) {
                closeQuietly(ch);
                Optional<LockOwner> holder = readHolder(file);
                String why = holder.map(this::staleReason).orElse(null);
                if (why == null || !breakStale(service, file, holder.get(), why)) {
                    throw new LockHeldException(service, holder.orElse(null), "");
                }
                broken = holder.get();
                continue;
            }
            try {
                Object keyAfter = fileKey(file);
                if (keyBefore == null || !keyBefore.equals(keyAfter)) {
                    // the file we locked was replaced meanwhile (a stale lock broken): start again on the new one
                    releaseQuietly(fl, ch);
                    continue;
                }
                Optional<LockOwner> previous = readOwner(ch);
                writeOwner(ch, owner);
                LockOwner tookOver = previous.orElse(broken);
                if (previous.isPresent()) {
                    LOG.warn("deployment lock of service '{}' taken over by {}: the previous owner, {}, ended without"
                            + " releasing it", service, owner.deploymentId(), previous.get());
                }
                LOG.debug("deployment lock {} taken by {}", file, owner);
                return new FileLease(file, ch, fl, owner, tookOver);
            } catch (IOException e) {
                releaseQuietly(fl, ch);
                throw new IllegalStateException("cannot write lock file " + file + ": " + e, e);
            }
        }
        throw new LockHeldException(service, readOwner(file).orElse(null), "the lock file kept changing during "
                + ATTEMPTS + " attempts");
    }

    /**
     * The holder of a lock held by another process. A holder writes its record right after taking the lock; if the
     * record is not there yet, it is read again a few times (at most {@link #OWNER_READ_WAIT} in all) so that the
     * refusal can name it.
     */
    private static Optional<LockOwner> readHolder(Path file) {
        long end = System.nanoTime() + OWNER_READ_WAIT.toNanos();
        Optional<LockOwner> holder = readOwner(file);
        while (holder.isEmpty() && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000L);
            holder = readOwner(file);
        }
        return holder;
    }

    /** The file's identity (device and inode) without opening it, or null when it does not exist. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Why {@code holder}'s lock, still held at the OS level, may be broken; null when it may not. */
    private String staleReason(LockOwner holder) {
        if (holder.host().equals(LockOwner.localHost())) {
            boolean alive = ProcessHandle.of(holder.pid()).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                return "its process " + holder.pid() + " is not running";
            }
        }
        Duration age = Duration.between(holder.since(), clock.now());
        if (age.compareTo(staleAfter) > 0) {
            return "it is " + age + " old, more than staleAfter " + staleAfter;
        }
        return null;
    }

    /** Removes a stale lock file under the break lock; {@code false} when someone else is at it or it changed. */
    private boolean breakStale(String service, Path file, LockOwner holder, String why) {
        Path breakFile = directory.resolve(service + SUFFIX + ".break");
        FileChannel bc = open(breakFile);
        try {
            FileLock bl;
            try {
                bl = bc.tryLock();
            } catch (OverlappingFileLockException e) {
                return false;
            }
            if (bl == null) {
                return false;
            }
            try {
                Optional<LockOwner> again = readOwner(file);
                if (again.isEmpty() || !again.get().equals(holder)) {
                    return false;
                }
                Files.deleteIfExists(file);
                LOG.warn("broke the stale deployment lock of service '{}' held by {}: {}", service, holder, why);
                return true;
            } finally {
                bl.release();
            }
        } catch (IOException e) {
            LOG.warn("cannot break stale lock {}: {}", file, e.toString());
            return false;
        } finally {
            closeQuietly(bc);
        }
    }

    private FileChannel open(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open lock file " + file + ": " + e, e);
        }
    }

    private static void writeOwner(FileChannel ch, LockOwner owner) throws IOException {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("deploymentId", owner.deploymentId()).put("pid", owner.pid()).put("host", owner.host())
                .put("since", owner.since().toString());
        byte[] bytes = MAPPER.writeValueAsBytes(o);
        ch.truncate(0);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long pos = 0;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
        ch.force(true);
    }

    private static Optional<LockOwner> readOwner(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0 || size > 4096) {
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
        return parse(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
    }

    private static Optional<LockOwner> readOwner(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return bytes.length > 4096 ? Optional.empty() : parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.debug("cannot read lock file {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /** The owner in a lock file; empty when the file is empty or being written (never an error). */
    private static Optional<LockOwner> parse(String text) {
        if (text.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode o = MAPPER.readTree(text);
            return Optional.of(new LockOwner(o.path("deploymentId").asText(null), o.path("pid").asLong(0),
                    o.path("host").asText(null), Instant.parse(o.path("since").asText(""))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void releaseQuietly(FileLock fl, FileChannel ch) {
        try {
            fl.release();
        } catch (IOException e) {
            LOG.debug("cannot release lock: {}", e.toString());
        }
        closeQuietly(ch);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("cannot close lock file: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "FileDeploymentLock[" + directory + ", staleAfter " + staleAfter + "]";
    }

    /** A held file lock. */
    private static final class FileLease implements Lease {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;
        private final LockOwner owner;
        private final LockOwner previous;
        private boolean closed;

        FileLease(Path file, FileChannel channel, FileLock lock, LockOwner owner, LockOwner previous) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
            this.owner = owner;
            this.previous = previous;
        }

        @Override
        public LockOwner owner() {
            return owner;
        }

        @Override
        public Optional<LockOwner> tookOverFrom() {
            return Optional.ofNullable(previous);
        }

        @Override
        public void close() {
            synchronized (HELD) {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    channel.truncate(0);
                    channel.force(true);
                } catch (IOException e) {
                    LOG.debug("cannot clear lock file {}: {}", file, e.toString());
                }
                releaseQuietly(lock, channel);
                HELD.remove(file, this);
            }
            LOG.debug("deployment lock {} released by {}", file, owner.deploymentId());
        }

        @Override
        public String toString() {
            return "Lease[" + file + ", " + owner + "]";
        }
    }

    /** Builds a {@link FileDeploymentLock}. Not thread-safe. */
    public static final class Builder {
        private Path directory;
        private Duration staleAfter = DEFAULT_STALE_AFTER;
        private Clock clock = Clock.system();

        private Builder() {
        }

        /** Where the lock files live (created if missing). Required. */
        public Builder directory(Path v) {
            if (v == null) {
                throw new IllegalArgumentException("lock.directory must not be null");
            }
            directory = v.toAbsolutePath().normalize();
            return this;
        }

        /** Age after which a held lock is considered stuck and is broken. Default {@link #DEFAULT_STALE_AFTER}. */
        public Builder staleAfter(Duration v) {
            if (v == null || v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("lock.staleAfter must be positive, was " + v);
            }
            staleAfter = v;
            return this;
        }

        /** The clock that dates owners and measures age. Default {@link Clock#system()}. */
        public Builder clock(Clock v) {
            clock = Arguments.notNull("lock.clock", v);
            return this;
        }

        /**
         * Builds; creates the directory.
         *
         * @throws IllegalArgumentException when no directory was given or it is not a directory
         */
        public FileDeploymentLock build() {
            if (directory == null) {
                throw new IllegalArgumentException("lock.directory is required");
            }
            if (Files.exists(directory) && !Files.isDirectory(directory)) {
                throw new IllegalArgumentException("lock.directory '" + directory + "' exists and is not a directory");
            }
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new IllegalArgumentException("lock.directory '" + directory + "' cannot be created: " + e, e);
            }
            return new FileDeploymentLock(this);
        }
    }
}
