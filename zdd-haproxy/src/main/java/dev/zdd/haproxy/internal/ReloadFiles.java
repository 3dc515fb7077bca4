package dev.zdd.haproxy.internal;

import dev.zdd.haproxy.RuntimeApiClient;
import dev.zdd.haproxy.RuntimeApiException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * What makes a zdd-managed HAProxy survive a reload or a restart: runtime API changes live only in HAProxy's memory,
 * so after every confirmed apply the router writes (1) HAProxy's own server-state file of the backend, the exact output
 * of {@code show servers state <backend>} (the format HAProxy's {@code load-server-state-from-file} reads at start,
 * HAProxy 2.6 management guide), and (2) the map files of the sticky split and the rules with the committed entries
 * ({@code key value} lines, what HAProxy loads for a {@code map_*} converter at start). Each file is written to a
 * temporary sibling, forced to disk and renamed over the old one, so HAProxy never reads half a file.
 *
 * <p>Not thread-safe: the router calls it under its apply lock.
 */
public final class ReloadFiles {
    private final Path serverStateFile;
    private final boolean writeMaps;

    /**
     * @param serverStateFile where HAProxy loads this backend's server state from ({@code server-state-base} +
     *                        {@code server-state-file-name})
     * @param writeMaps       whether the map files are rewritten too (they must be reachable from this process)
     */
    public ReloadFiles(Path serverStateFile, boolean writeMaps) {
        this.serverStateFile = serverStateFile.toAbsolutePath();
        this.writeMaps = writeMaps;
    }

    /** The server-state file. */
    public Path serverStateFile() {
        return serverStateFile;
    }

    /**
     * Writes the backend's server state as HAProxy reports it now, and the map files with {@code maps} (file to
     * entries).
     *
     * @throws IOException         when a file cannot be written
     * @throws RuntimeApiException when HAProxy's answer cannot be read or is not a server-state listing
     */
    public void write(RuntimeApiClient client, String backend, Map<String, Map<String, String>> maps) throws IOException {
        String command = "show servers state " + backend;
        String answer = client.execute(command);
        try {
            Parsers.serversState(answer);
        } catch (RuntimeException e) {
            throw new RuntimeApiException("'" + command + "' did not answer a server-state listing: " + e.getMessage(),
                    command, answer);
        }
        String text = answer.endsWith("\n") ? answer : answer + "\n";
        // HAProxy ends the listing with an empty line; the file holds the listing only
        writeAtomically(serverStateFile, text.stripTrailing() + "\n");
        if (writeMaps) {
            for (Map.Entry<String, Map<String, String>> m : maps.entrySet()) {
                StringBuilder sb = new StringBuilder("# written by zdd after each confirmed apply; HAProxy loads it at start\n");
                m.getValue().forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
                writeAtomically(Path.of(m.getKey()), sb.toString());
            }
        }
    }

    /** Writes {@code text} to a temporary sibling, forces it to disk and renames it over {@code path}. */
    public static void writeAtomically(Path path, String text) throws IOException {
        Path abs = path.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
