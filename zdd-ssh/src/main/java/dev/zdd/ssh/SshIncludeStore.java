package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.nginx.IncludeStore;

import java.io.IOException;
import java.time.Duration;

/**
 * An nginx include file on another host, for {@code NginxRouter.builder().includeStore(...)}: read with {@code cat},
 * replaced atomically through {@link SshFiles#write} (temp file, SHA-256 checked on the host, rename). The router then
 * parses what it reads back and checks the file's own checksum, so a hand edit on the host is still detected as drift.
 * {@link #toString()} is {@code user@host:port:/path}.
 *
 * <p>Immutable; thread-safe.
 */
public final class SshIncludeStore implements IncludeStore {
    /** Default bound on one read or write: 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final SshFiles files;
    private final RemotePath file;

    private SshIncludeStore(SshFiles files, RemotePath file) {
        this.files = files;
        this.file = file;
    }

    /** The include {@code file} on {@code host}, each command bounded by {@link #DEFAULT_TIMEOUT}. */
    public static SshIncludeStore of(SshClientPool pool, SshHost host, RemotePath file) {
        return of(pool, host, file, DEFAULT_TIMEOUT);
    }

    /** The include {@code file} on {@code host}, each command bounded by {@code timeout}. */
    public static SshIncludeStore of(SshClientPool pool, SshHost host, RemotePath file, Duration timeout) {
        return new SshIncludeStore(new SshFiles(pool, host, timeout), Arguments.notNull("file", file));
    }

    /** The remote path. */
    public RemotePath file() {
        return file;
    }

    @Override
    public String read() throws IOException {
        return files.read(file);
    }

    @Override
    public void write(String text) throws IOException {
        if (text == null) {
            files.delete(file);
        } else {
            files.write(file, text);
        }
    }

    @Override
    public String toString() {
        return files.host() + ":" + file;
    }
}
