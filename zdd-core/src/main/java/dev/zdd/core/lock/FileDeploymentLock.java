package dev.zdd.core.lock;

import dev.zdd.core.internal.LeaseGrant;
import dev.zdd.api.Arguments;
import dev.zdd.api.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link DeploymentLock} for deployments started on one machine: an operating-system file lock
 * ({@link FileChannel#tryLock()}) on {@code <directory>/<service>.lock}, held for the whole deployment, with a record in
 * the file: the owner (deployment id, pid, host, start time), the fencing token of the grant (one more than the file's
 * previous token) and when the owner last renewed its lease. A refused deployment is told who holds the lock.
 *
 * <p>Leases: a grant is valid for {@link Builder#ttl(Duration) ttl} and the engine renews it while the deployment
 * runs, which rewrites {@code renewedAt}. Stale locks: the operating system releases the file lock when its process
 * dies, so a crashed deployment never blocks the next one; the next one finds the dead owner's record, takes over with
 * the next token and reports it ({@link Lease#tookOverFrom()}, a WARN log). A lock still held at the operating-system
 * level is <em>never</em> broken while its owner runs on this host, however long it has been deploying (it may wait at
 * a 48-hour gate): it is broken only when its owner is on this host and its process is not running (a lock inherited by
 * another process), or when its owner is on another host (a shared directory) and has not renewed it for longer than
 * its ttl. Breaking replaces the file atomically (keeping the token) under a second lock ({@code <service>.lock.break}),
 * and the broken holder's next {@link Lease#renew()} fails with {@link LeaseLostException}. Every acquisition checks that
 * the file it locked is still the one at the path (same device and inode), so two processes never both believe they
 * hold it.
 *
 * <p>POSIX record locks belong to a process and are dropped when <em>any</em> descriptor of the file is closed: inside
 * one JVM, acquisitions are serialised and keyed by the real path of the file (symbolic links and {@code ..} resolved)
 * and by its identity (device and inode), so a lock file held by this JVM is never opened again by it, whatever path
 * names it; such a second request is refused naming the holder.
 *
 * <p>Works on local file systems; network file systems' locking is not relied upon. Immutable; thread-safe.
 */
public final class FileDeploymentLock implements DeploymentLock {
    /** Default validity of a grant or a renewal: 30 seconds (the engine renews every fifth of it). */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    /** Suffix of lock files. */
    public static final String SUFFIX = ".lock";

    private static final Logger LOG = LoggerFactory.getLogger(FileDeploymentLock.class);
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final int ATTEMPTS = 3;
    /** Longest time spent re-reading the owner record of a lock just taken by another process. */
    private static final Duration OWNER_READ_WAIT = Duration.ofSeconds(5);
    /** Locks held by this JVM, by real path of the file; guarded by itself. */
    private static final Map<Path, FileLease> HELD = new HashMap<>();
    /**
     * Channels that must never be closed: opened on a file this JVM already locks through another channel (closing it
     * would drop that lock). Only in races the identity checks cannot exclude; guarded by {@link #HELD}.
     */
    private static final List<FileChannel> PINNED = new ArrayList<>();

    private final Path directory;
    private final Duration ttl;
    private final Clock clock;

    private FileDeploymentLock(Builder b, Path realDirectory) {
        this.directory = realDirectory;
        this.ttl = b.ttl;
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

    /** The lock file of {@code service} (under the real path of the directory). */
    public Path file(String service) {
        if (service == null || !SERVICE.matcher(service).matches()) {
            throw new IllegalArgumentException("service '" + service + "' is invalid: expected letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit, at most 63");
        }
        return directory.resolve(service + SUFFIX);
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public Lease tryAcquire(String service, LockOwner owner) {
        Path file = file(service);
        if (owner == null) {
            throw new IllegalArgumentException("lock owner must not be null");
        }
        synchronized (HELD) {
            FileLease mine = heldHere(file);
            if (mine != null) {
                throw new LockHeldException(service, mine.owner(), "held in this process"
                        + (mine.file.equals(file) ? "" : " (through " + mine.file + ")"));
            }
            FileLease lease = acquire(service, file, owner);
            HELD.put(file, lease);
            return lease;
        }
    }

    /** The lease this JVM holds on {@code file}, by path or by identity (a hard link, a re-created directory link). */
    private static FileLease heldHere(Path file) {
        FileLease byPath = HELD.get(file);
        if (byPath != null) {
            return byPath;
        }
        Object key = LockFiles.fileKey(file);
        if (key == null) {
            return null;
        }
        for (FileLease l : HELD.values()) {
            if (key.equals(l.fileKey)) {
                return l;
            }
        }
        return null;
    }

    private FileLease acquire(String service, Path file, LockOwner owner) {
        // encode once before locking: the first encoding loads the JSON classes, which can take seconds on a loaded
        // machine, and the holder's record must follow the lock at once (a refused process waits for it to name it)
        new LockFileRecord(owner, 0, clock.now(), ttl).encode();
        LockFileRecord broken = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Object keyBefore = LockFiles.fileKey(file);
            FileChannel ch = LockFiles.open(file);
            FileLock fl;
            try {
                fl = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                // this JVM locks the same file through a channel we do not know: closing ours would drop that lock
                PINNED.add(ch);
                throw new LockHeldException(service, null, "held in this process through another path to " + file);
            } catch (IOException e) {
                LockFiles.closeQuietly(ch);
                throw new IllegalStateException("cannot lock " + file + ": " + e, e);
            }
            if (fl == null) {
                LockFiles.closeQuietly(ch);
                Optional<LockFileRecord> holder = readHolder(file);
                String why = holder.map(this::staleReason).orElse(null);
                if (why == null || !breakStale(service, file, holder.get(), why)) {
                    throw new LockHeldException(service, holder.map(LockFileRecord::owner).orElse(null),
                            holder.map(this::describeRenewal).orElse(""));
                }
                broken = holder.get();
                continue;
            }
            try {
                Object keyAfter = LockFiles.fileKey(file);
                if (keyBefore == null || !keyBefore.equals(keyAfter)) {
                    // the file we locked was replaced meanwhile (a stale lock broken): start again on the new one
                    LockFiles.releaseQuietly(fl, ch);
                    continue;
                }
                LockFileRecord previous = LockFiles.read(ch).orElse(LockFileRecord.EMPTY);
                long token = Math.max(previous.token(), broken == null ? 0 : broken.token()) + 1;
                LockFileRecord mine = new LockFileRecord(owner, token, clock.now(), ttl);
                LockFiles.write(ch, mine);
                LockOwner tookOver = previous.owner() != null ? previous.owner() : broken == null ? null : broken.owner();
                if (previous.owner() != null) {
                    LOG.warn("deployment lock of service '{}' taken over by {} (token {}): the previous owner, {}, ended"
                            + " without releasing it", service, owner.deploymentId(), token, previous.owner());
                }
                LOG.debug("deployment lock {} taken by {} with token {}", file, owner, token);
                return new FileLease(service, file, keyAfter, ch, fl, owner, token, tookOver);
            } catch (IOException e) {
                LockFiles.releaseQuietly(fl, ch);
                throw new IllegalStateException("cannot write lock file " + file + ": " + e, e);
            }
        }
        throw new LockHeldException(service, LockFiles.read(file).map(LockFileRecord::owner).orElse(null),
                "the lock file kept changing during " + ATTEMPTS + " attempts");
    }

    private String describeRenewal(LockFileRecord r) {
        if (r.renewedAt() == null) {
            return "";
        }
        return "lease token " + r.token() + ", last renewed " + r.renewedAt() + " (ttl " + r.ttl() + ")";
    }

    /**
     * The record of a lock held by another process. A holder writes its record right after taking the lock; if the
     * record is not there yet, it is read again a few times (at most {@link #OWNER_READ_WAIT} in all) so that the
     * refusal can name it.
     */
    private static Optional<LockFileRecord> readHolder(Path file) {
        long end = System.nanoTime() + OWNER_READ_WAIT.toNanos();
        Optional<LockFileRecord> holder = LockFiles.read(file).filter(r -> r.owner() != null);
        while (holder.isEmpty() && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000L);
            holder = LockFiles.read(file).filter(r -> r.owner() != null);
        }
        return holder;
    }

    /**
     * Why a lock still held at the OS level may be broken; null when it may not. An owner alive on this host is never
     * broken; stale means "not renewed", never "old".
     */
    private String staleReason(LockFileRecord holder) {
        LockOwner o = holder.owner();
        if (o.host().equals(LockOwner.localHost())) {
            boolean alive = ProcessHandle.of(o.pid()).map(ProcessHandle::isAlive).orElse(false);
            return alive ? null : "its process " + o.pid() + " is not running";
        }
        if (holder.expired(clock.now())) {
            return "its owner on host " + o.host() + " has not renewed it since " + holder.renewedAt() + " (ttl "
                    + holder.ttl() + ")";
        }
        return null;
    }

    /** Replaces a stale lock file under the break lock, keeping its token; {@code false} when someone else is at it. */
    private boolean breakStale(String service, Path file, LockFileRecord holder, String why) {
        Path breakFile = directory.resolve(service + SUFFIX + ".break");
        FileChannel bc = LockFiles.open(breakFile);
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
                Optional<LockFileRecord> again = LockFiles.read(file);
                if (again.isEmpty() || !holder.equals(again.get())) {
                    return false;
                }
                LockFiles.replace(file, new LockFileRecord(null, holder.token(), null, null));
                LOG.warn("broke the stale deployment lock of service '{}' held by {}: {}", service, holder.owner(), why);
                return true;
            } finally {
                bl.release();
            }
        } catch (IOException e) {
            LOG.warn("cannot break stale lock {}: {}", file, e.toString());
            return false;
        } finally {
            LockFiles.closeQuietly(bc);
        }
    }

    @Override
    public String toString() {
        return "FileDeploymentLock[" + directory + ", ttl " + ttl + "]";
    }

    /** A held file lock. */
    private final class FileLease extends LeaseGrant {
        private final Path file;
        private final Object fileKey;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean closed; // guarded by HELD

        FileLease(String service, Path file, Object fileKey, FileChannel channel, FileLock lock, LockOwner owner,
                  long token, LockOwner previous) {
            super(service, owner, token, previous);
            this.file = file;
            this.fileKey = fileKey;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void renew() {
            synchronized (HELD) {
                if (closed) {
                    throw released();
                }
                Object now = LockFiles.fileKey(file);
                if (!fileKey.equals(now)) {
                    // broken: the path names another file now (never ours: reading it cannot drop our lock)
                    LockOwner holder = now == null ? null : LockFiles.read(file).map(LockFileRecord::owner).orElse(null);
                    throw new LeaseLostException(service, holder, "the lease of " + owner.deploymentId() + " (token "
                            + token + ") was broken as stale");
                }
                try {
                    LockFiles.write(channel, new LockFileRecord(owner, token, clock.now(), ttl));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot renew the lease in " + file + ": " + e, e);
                }
            }
        }

        @Override
        public void close() {
            synchronized (HELD) {
                if (closed) {
                    return;
                }
                closed = true;
                if (fileKey.equals(LockFiles.fileKey(file))) {
                    try {
                        LockFiles.write(channel, new LockFileRecord(null, token, null, null));
                    } catch (IOException e) {
                        LOG.debug("cannot clear lock file {}: {}", file, e.toString());
                    }
                }
                LockFiles.releaseQuietly(lock, channel);
                HELD.remove(file, this);
            }
            LOG.debug("deployment lock {} released by {}", file, owner.deploymentId());
        }

        @Override
        public String toString() {
            return "Lease[" + file + ", " + owner + ", token " + token + "]";
        }
    }

    /** Builds a {@link FileDeploymentLock}. Not thread-safe. */
    public static final class Builder {
        private Path directory;
        private Duration ttl = DEFAULT_TTL;
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

        /**
         * How long a grant or a renewal stays valid; the engine renews every fifth of it. Only an owner on another host
         * (a shared directory) that has not renewed for this long is broken; an owner alive on this host never is.
         * Positive. Default {@link #DEFAULT_TTL}.
         */
        public Builder ttl(Duration v) {
            ttl = Arguments.positive("lock.ttl", v);
            return this;
        }

        /** The clock that dates owners and renewals. Default {@link Clock#system()}. */
        public Builder clock(Clock v) {
            clock = Arguments.notNull("lock.clock", v);
            return this;
        }

        /**
         * Builds; creates the directory and resolves its real path (symbolic links, {@code ..}).
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
                return new FileDeploymentLock(this, directory.toRealPath());
            } catch (IOException e) {
                throw new IllegalArgumentException("lock.directory '" + directory + "' cannot be created: " + e, e);
            }
        }
    }
}
