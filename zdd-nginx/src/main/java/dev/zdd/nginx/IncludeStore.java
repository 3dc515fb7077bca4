package dev.zdd.nginx;

import java.io.IOException;

/**
 * Where an {@link NginxRouter} keeps its include file: by default a local file ({@link NginxRouter.Builder#includeFile}),
 * or anything else, for example a file on another host reached over ssh (zdd-ssh). {@link #toString()} should name the
 * place for messages (a path, or {@code user@host:/path}).
 *
 * <p>Implementations must be thread-safe, must never wait without a bound, and must replace the file atomically:
 * readers (and nginx) see the old or the new text, never a half-written one.
 */
public interface IncludeStore {
    /**
     * The file's whole text.
     *
     * @return the text, or {@code null} when there is no file
     * @throws IOException when it cannot be read
     */
    String read() throws IOException;

    /**
     * Replaces the file atomically with {@code text} (creating it, and its directory, when missing), or removes it when
     * {@code text} is {@code null}.
     *
     * @throws IOException when it cannot be written; the previous file is then still in place
     */
    void write(String text) throws IOException;
}
