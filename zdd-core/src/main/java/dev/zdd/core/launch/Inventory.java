package dev.zdd.core.launch;

import dev.zdd.api.Endpoint;
import dev.zdd.api.LaunchException;
import dev.zdd.api.Target;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The {@link ProcessLauncher}'s record of every instance it started: one file per instance,
 * {@code <directory>/<service>/<targetId>.instance} (a Java properties file: id, service, version, pid, started, host,
 * port, log, launch token, and {@code attribute.<key>} per target attribute), written to a temporary sibling, forced to
 * disk and renamed into place. Before a process is spawned its launch is recorded as <em>pending</em> in
 * {@code <targetId>.pending} (the same fields without pid and start time, plus the launching process's pid and start
 * time and the record's time); the spawned shell writes its pid to {@code <targetId>.pid} before it runs the program
 * ({@link PendingLaunches} settles what a dead launcher left pending). Package-private; thread-safe (each file is
 * replaced atomically; callers serialise per id).
 */
final class Inventory {
    static final String SUFFIX = ".instance";
    static final String PENDING_SUFFIX = ".pending";
    static final String PID_SUFFIX = ".pid";

    /** One recorded instance; {@code token} is empty in records written before launch tokens existed. */
    record Entry(String service, Target target, long pid, long started, Path log, String token) {
    }

    /**
     * A launch recorded before its process was spawned: the target without pid and start time, the token put in the
     * process's environment, the launching process (pid and start time, epoch ms) and when the record was written.
     */
    record Pending(String service, Target target, Path log, String token, long ownerPid, long ownerStarted,
                   long createdMillis) {
    }

    private final Path directory;

    Inventory(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    Path file(String service, String id) {
        return directory.resolve(service).resolve(id + SUFFIX);
    }

    void write(Entry e) {
        Properties p = properties(e.service(), e.target(), e.log(), e.token());
        p.setProperty("pid", String.valueOf(e.pid()));
        p.setProperty("started", String.valueOf(e.started()));
        store(p, file(e.service(), e.target().id()), "zdd ProcessLauncher instance", e.target().id());
    }

    private static Properties properties(String service, Target t, Path log, String token) {
        Properties p = new Properties();
        p.setProperty("id", t.id());
        p.setProperty("service", service);
        p.setProperty("version", t.version());
        p.setProperty("host", t.endpoint().host());
        p.setProperty("port", String.valueOf(t.endpoint().port()));
        p.setProperty("log", log.toString());
        p.setProperty("token", token);
        t.attributes().forEach((k, v) -> p.setProperty("attribute." + k, v));
        return p;
    }

    /** Records a launch about to be spawned (durably: forced to disk and renamed into place before it returns). */
    void writePending(Pending e) {
        Properties p = properties(e.service(), e.target(), e.log(), e.token());
        p.setProperty("owner.pid", String.valueOf(e.ownerPid()));
        p.setProperty("owner.started", String.valueOf(e.ownerStarted()));
        p.setProperty("created", String.valueOf(e.createdMillis()));
        store(p, pendingFile(e.service(), e.target().id()), "zdd ProcessLauncher launch about to start", e.target().id());
    }

    Path pendingFile(String service, String id) {
        return directory.resolve(service).resolve(id + PENDING_SUFFIX);
    }

    Path pidFile(String service, String id) {
        return directory.resolve(service).resolve(id + PID_SUFFIX);
    }

    /** Removes the pending record and the pid file of {@code id}. */
    void deletePending(String service, String id) {
        for (Path f : List.of(pendingFile(service, id), pidFile(service, id))) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException x) {
                throw new LaunchException("cannot remove the pending launch record " + f + ": " + x.getMessage(), x);
            }
        }
    }

    /** The pid the spawned shell wrote for {@code id}, if it wrote a whole one. */
    Optional<Long> readPid(String service, String id) {
        try {
            String text = Files.readString(pidFile(service, id), StandardCharsets.US_ASCII).trim();
            return text.matches("[1-9][0-9]{0,18}") ? Optional.of(Long.parseLong(text)) : Optional.empty();
        } catch (NoSuchFileException x) {
            return Optional.empty();
        } catch (IOException | NumberFormatException x) {
            return Optional.empty();
        }
    }

    private static void store(Properties p, Path file, String comment, String id) {
        try {
            Files.createDirectories(file.getParent());
            StringWriter w = new StringWriter();
            p.store(w, comment);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(w.toString().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException x) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException x) {
            throw new LaunchException("cannot record instance " + id + " in " + file + ": " + x.getMessage(), x);
        }
    }

    void delete(String service, String id) {
        try {
            Files.deleteIfExists(file(service, id));
        } catch (IOException x) {
            throw new LaunchException("cannot remove the record of instance " + id + " (" + file(service, id) + "): "
                    + x.getMessage(), x);
        }
    }

    Optional<Entry> read(Path file) {
        return load(file).map(p -> {
            try {
                return new Entry(p.getProperty("service"), target(p), Long.parseLong(p.getProperty("pid")),
                        Long.parseLong(p.getProperty("started")), Path.of(p.getProperty("log")),
                        p.getProperty("token", ""));
            } catch (RuntimeException x) {
                throw new LaunchException("instance record " + file + " is invalid: " + x.getMessage(), x);
            }
        });
    }

    Optional<Pending> readPending(Path file) {
        return load(file).map(p -> {
            try {
                return new Pending(p.getProperty("service"), target(p), Path.of(p.getProperty("log")),
                        java.util.Objects.requireNonNull(p.getProperty("token"), "token"),
                        Long.parseLong(p.getProperty("owner.pid")), Long.parseLong(p.getProperty("owner.started")),
                        Long.parseLong(p.getProperty("created")));
            } catch (RuntimeException x) {
                throw new LaunchException("pending launch record " + file + " is invalid: " + x.getMessage(), x);
            }
        });
    }

    private static Optional<Properties> load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException x) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException x) {
            throw new LaunchException("cannot read instance record " + file + ": " + x.getMessage(), x);
        }
        return Optional.of(p);
    }

    private static Target target(Properties p) {
        Map<String, String> attrs = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("attribute.")) {
                attrs.put(k.substring("attribute.".length()), p.getProperty(k));
            }
        }
        return new Target(p.getProperty("id"), p.getProperty("version"),
                new Endpoint(p.getProperty("host"), Integer.parseInt(p.getProperty("port"))), attrs);
    }

    /** Every pending launch record of {@code service}, by target id. */
    List<Pending> listPending(String service) {
        return readAll(service, PENDING_SUFFIX, this::readPending, Pending::target);
    }

    private <T> List<T> readAll(String service, String suffix, java.util.function.Function<Path, Optional<T>> reader,
            java.util.function.Function<T, Target> target) {
        List<T> out = new ArrayList<>();
        for (Path f : files(directory.resolve(service), "*" + suffix)) {
            reader.apply(f).ifPresent(out::add);
        }
        out.sort(java.util.Comparator.comparing(e -> target.apply(e).id()));
        return out;
    }

    /** The services that have a record directory. */
    List<String> services() {
        List<String> out = new ArrayList<>();
        entries(directory, Files::isDirectory).forEach(s -> out.add(s.getFileName().toString()));
        return out;
    }

    private static List<Path> files(Path dir, String glob) {
        java.nio.file.PathMatcher m = dir.getFileSystem().getPathMatcher("glob:" + glob);
        return entries(dir, p -> m.matches(p.getFileName()));
    }

    private static List<Path> entries(Path dir, DirectoryStream.Filter<Path> filter) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, filter)) {
            files.forEach(out::add);
        } catch (IOException x) {
            throw new LaunchException("cannot list instance records in " + dir + ": " + x.getMessage(), x);
        }
        return out;
    }

    /** Every record of {@code service}, by target id. */
    List<Entry> list(String service) {
        return readAll(service, SUFFIX, this::read, Entry::target);
    }

    /** The record of target {@code id} in any service, if any (ids are unique per service; the pid tells apart). */
    List<Entry> find(String id) {
        List<Entry> out = new ArrayList<>();
        for (String s : services()) {
            read(directory.resolve(s).resolve(id + SUFFIX)).ifPresent(out::add);
        }
        return out;
    }
}
