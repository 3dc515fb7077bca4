package dev.zdd.haproxy.internal;

import dev.zdd.api.Endpoint;
import dev.zdd.api.Target;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HAProxy router's identity store: which target (id, version, endpoint, attributes) each server of one backend
 * was applied with, so that a router built in a later process reports the same targets and recognises the dynamic
 * servers an earlier process added.
 *
 * <p>Format (UTF-8 text, every field URL-encoded, one record per line, in table order):
 * <pre>
 * zdd-haproxy-state 1
 * backend &lt;backend&gt;
 * server &lt;name&gt; &lt;dynamic|configured&gt; &lt;id&gt; &lt;version&gt; &lt;host&gt; &lt;port&gt; &lt;k=v&amp;k=v...&gt;
 * sha256 &lt;hex digest of every line above, each followed by '\n'&gt;
 * </pre>
 * Written to a temporary sibling, forced to disk and renamed over the file ({@code rename(2)} is atomic), so a reader
 * sees the old or the new file, never half of one. A file whose checksum, header or backend does not match is
 * {@link Loaded#problem() reported} and ignored. Not thread-safe: the router calls it under its apply lock.
 */
public final class StateFile {
    private static final String HEADER = "zdd-haproxy-state 1";

    /** One server's record. */
    public record Entry(String server, boolean dynamic, Target target) {
    }

    /** What a load found: the entries (empty when missing or invalid) and, when invalid, why. */
    public record Loaded(Map<String, Entry> entries, String problem) {
        /** Copies. */
        public Loaded {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }
    }

    private final Path path;
    private final String backend;

    public StateFile(Path path, String backend) {
        this.path = path.toAbsolutePath();
        this.backend = backend;
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** Reads the file; a missing file is no entries and no problem. */
    public Loaded load() {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Loaded(Map.of(), null);
        } catch (IOException | RuntimeException e) {
            return new Loaded(Map.of(), "cannot read " + path + ": " + e);
        }
        if (lines.size() < 3 || !HEADER.equals(lines.get(0))) {
            return new Loaded(Map.of(), path + " is not a zdd HAProxy state file (header '" + HEADER + "' expected)");
        }
        String last = lines.get(lines.size() - 1);
        String body = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
        if (!last.equals("sha256 " + sha256(body))) {
            return new Loaded(Map.of(), path + " has a bad checksum (cut off or edited by hand)");
        }
        if (!lines.get(1).equals("backend " + enc(backend))) {
            return new Loaded(Map.of(), path + " belongs to " + lines.get(1) + ", not backend " + backend);
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        try {
            for (String line : lines.subList(2, lines.size() - 1)) {
                String[] f = line.split(" ", -1);
                if (f.length != 8 || !f[0].equals("server")) {
                    return new Loaded(Map.of(), path + " has a malformed line: " + line);
                }
                Map<String, String> attrs = new TreeMap<>();
                if (!f[7].isEmpty()) {
                    for (String kv : f[7].split("&")) {
                        int eq = kv.indexOf('=');
                        attrs.put(dec(kv.substring(0, eq)), dec(kv.substring(eq + 1)));
                    }
                }
                String name = Names.name("server", dec(f[1]));
                Target t = new Target(dec(f[3]), dec(f[4]), new Endpoint(dec(f[5]), Integer.parseInt(f[6])), attrs);
                out.put(name, new Entry(name, f[2].equals("dynamic"), t));
            }
        } catch (RuntimeException e) {
            return new Loaded(Map.of(), path + " has an invalid record: " + e.getMessage());
        }
        return new Loaded(out, null);
    }

    /** Replaces the file atomically with {@code entries} (in their order). */
    public void write(Iterable<Entry> entries) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append('\n').append("backend ").append(enc(backend)).append('\n');
        for (Entry e : entries) {
            Target t = e.target();
            StringBuilder attrs = new StringBuilder();
            new TreeMap<>(t.attributes()).forEach((k, v) -> {
                if (attrs.length() > 0) {
                    attrs.append('&');
                }
                attrs.append(enc(k)).append('=').append(enc(v));
            });
            sb.append("server ").append(enc(e.server())).append(' ').append(e.dynamic() ? "dynamic" : "configured")
                    .append(' ').append(enc(t.id())).append(' ').append(enc(t.version())).append(' ')
                    .append(enc(t.endpoint().host())).append(' ').append(t.endpoint().port()).append(' ').append(attrs)
                    .append('\n');
        }
        String body = sb.toString();
        String text = body + "sha256 " + sha256(body) + "\n";
        ReloadFiles.writeAtomically(path, text);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
