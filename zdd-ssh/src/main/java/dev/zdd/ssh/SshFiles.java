package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.ssh.internal.Shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Small text files on a remote host, over one SSH command each: {@link #read} ({@code cat}), {@link #write} (the text
 * goes to a temp file next to the target through the command's standard input, its SHA-256 is checked on the host with
 * {@code sha256sum}, and only then is it renamed over the target: atomic, and never a truncated file) and
 * {@link #delete}. Paths are {@link RemotePath}s (validated) and single-quoted in the command. The host needs a POSIX
 * shell, {@code cat}, {@code mkdir}, {@code mv}, {@code rm} and {@code sha256sum} (coreutils or busybox).
 *
 * <p>Immutable; thread-safe.
 */
public final class SshFiles {
    private static final int MISSING = 3;

    private final SshClientPool pool;
    private final SshHost host;
    private final Duration timeout;

    /** Files on {@code host}, each command bounded by {@code timeout}. */
    public SshFiles(SshClientPool pool, SshHost host, Duration timeout) {
        this.pool = Arguments.notNull("pool", pool);
        this.host = Arguments.notNull("host", host);
        this.timeout = Arguments.positive("timeout", timeout);
    }

    /** The host. */
    public SshHost host() {
        return host;
    }

    /**
     * The file's text (UTF-8), or {@code null} when it does not exist.
     *
     * @throws IOException when it cannot be read (the message carries the host's error) or the host is unreachable
     */
    public String read(RemotePath file) throws IOException {
        String q = Shell.quote(file.value());
        String script = "if [ -e " + q + " ]; then exec cat -- " + q + "; else exit " + MISSING + "; fi";
        ExecResult r = run(script, null, "read " + file);
        if (r.exitCode() == MISSING) {
            return null;
        }
        if (!r.ok()) {
            throw new IOException("ssh " + host + ": cannot read " + file + " (exit " + r.exitCode() + "): "
                    + Arguments.printable(r.stderr().strip()));
        }
        return r.stdout();
    }

    /**
     * Replaces {@code file} with {@code text} atomically (creating its directory when missing, mode 644).
     *
     * @throws IOException when it cannot be written or the bytes that arrived do not match; the previous file is
     *                     then untouched
     */
    public void write(RemotePath file, String text) throws IOException {
        Arguments.notNull("text", text);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String f = Shell.quote(file.value());
        String dir = Shell.quote(file.parent().value());
        String tmp = "\"$t\"";
        String script = "umask 022; t=" + Shell.quote(file.value() + ".zdd-tmp.") + "$$; "
                + "[ -d " + dir + " ] || mkdir -p -- " + dir + " || exit 10; "
                + "cat > " + tmp + " || { rm -f -- " + tmp + "; exit 11; }; "
                + "h=$(sha256sum < " + tmp + "); h=${h%% *}; "
                + "if [ \"$h\" != " + Shell.quote(sha256(bytes)) + " ]; then rm -f -- " + tmp
                + "; echo \"checksum mismatch: the host has sha256 $h\" >&2; exit 12; fi; "
                + "mv -f -- " + tmp + " " + f + " || { rm -f -- " + tmp + "; exit 13; }";
        ExecResult r = run(script, bytes, "write " + file);
        if (!r.ok()) {
            throw new IOException("ssh " + host + ": cannot write " + file + " (exit " + r.exitCode() + "): "
                    + Arguments.printable(r.stderr().strip()));
        }
    }

    /** Removes {@code file}; nothing when it does not exist. */
    public void delete(RemotePath file) throws IOException {
        ExecResult r = run("rm -f -- " + Shell.quote(file.value()), null, "delete " + file);
        if (!r.ok()) {
            throw new IOException("ssh " + host + ": cannot remove " + file + " (exit " + r.exitCode() + "): "
                    + Arguments.printable(r.stderr().strip()));
        }
    }

    private ExecResult run(String script, byte[] stdin, String what) throws IOException {
        try {
            return pool.run(host, script, stdin, timeout);
        } catch (SshException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    /** Hex SHA-256 of {@code bytes}. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "SshFiles[" + host + "]";
    }
}
