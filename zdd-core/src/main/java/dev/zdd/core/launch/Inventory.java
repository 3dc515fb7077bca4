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
 * port, log, and {@code attribute.<key>} per target attribute), written to a temporary sibling, forced to disk and
 * renamed into place. Package-private; thread-safe (each file is replaced atomically; callers serialise per id).
 */
final class Inventory {
    static final String SUFFIX = ".instance";

    /** One recorded instance. */
    record Entry(String service, Target target, long pid, long started, Path log) {
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
        Properties p = new Properties();
        Target t = e.target();
        p.setProperty("id", t.id());
        p.setProperty("service", e.service());
        p.setProperty("version", t.version());
        p.setProperty("host", t.endpoint().host());
        p.setProperty("port", String.valueOf(t.endpoint().port()));
        p.setProperty("pid", String.valueOf(e.pid()));
        p.setProperty("started", String.valueOf(e.started()));
        p.setProperty("log", e.log().toString());
        t.attributes().forEach((k, v) -> p.setProperty("attribute." + k, v));
        Path file = file(e.service(), t.id());
        try {
            Files.createDirectories(file.getParent());
            StringWriter w = new StringWriter();
            p.store(w, "zdd ProcessLauncher instance");
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
            throw new LaunchException("cannot record instance " + t.id() + " in " + file + ": " + x.getMessage(), x);
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
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException x) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException x) {
            throw new LaunchException("cannot read instance record " + file + ": " + x.getMessage(), x);
        }
        try {
            Map<String, String> attrs = new TreeMap<>();
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith("attribute.")) {
                    attrs.put(k.substring("attribute.".length()), p.getProperty(k));
                }
            }
            Target t = new Target(p.getProperty("id"), p.getProperty("version"),
                    new Endpoint(p.getProperty("host"), Integer.parseInt(p.getProperty("port"))), attrs);
            return Optional.of(new Entry(p.getProperty("service"), t, Long.parseLong(p.getProperty("pid")),
                    Long.parseLong(p.getProperty("started")), Path.of(p.getProperty("log"))));
        } catch (RuntimeException x) {
            throw new LaunchException("instance record " + file + " is invalid: " + x.getMessage(), x);
        }
    }

    /** Every record of {@code service}. */
    List<Entry> list(String service) {
        Path dir = directory.resolve(service);
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                read(f).ifPresent(out::add);
            }
        } catch (IOException x) {
            throw new LaunchException("cannot list instance records in " + dir + ": " + x.getMessage(), x);
        }
        out.sort(java.util.Comparator.comparing(e -> e.target().id()));
        return out;
    }

    /** The record of target {@code id} in any service, if any (ids are unique per service; the pid tells apart). */
    List<Entry> find(String id) {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return out;
        }
        try (DirectoryStream<Path> services = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path s : services) {
                read(s.resolve(id + SUFFIX)).ifPresent(out::add);
            }
        } catch (IOException x) {
            throw new LaunchException("cannot list instance records in " + directory + ": " + x.getMessage(), x);
        }
        return out;
    }
}
