package dev.zdd.docker;

import dev.zdd.docker.internal.Transports;

/**
 * How {@link DockerClient} reaches a daemon: opens one new connection (a {@link java.net.Socket}) per call of
 * {@link #connect}. The client speaks HTTP/1.1 over each connection, pools idle ones and closes them when done.
 *
 * <p>The built-in transports (unix socket, plain TCP) come from {@link #forHost(String)}; other modules add their own
 * (for example zdd-ssh's Docker over {@code ssh}). A {@code Socket} returned by {@link #connect} must:
 * <ul>
 *   <li>be connected, with working {@code getInputStream()} and {@code getOutputStream()};</li>
 *   <li>honour {@link java.net.Socket#setSoTimeout(int)}: a read on its input stream that waits longer than the timeout
 *       throws {@link java.net.SocketTimeoutException} (the client relies on it for its read timeout and for checking
 *       pooled connections; a socket whose reads block forever can hang a call);</li>
 *   <li>be closable from any thread, and a {@code close()} must wake a blocked read or write;</li>
 *   <li>accept (or ignore) the TCP options {@code setTcpNoDelay}, {@code setKeepAlive}, {@code setSoLinger}.</li>
 * </ul>
 *
 * <p>Implementations must be thread-safe: {@link #connect} may be called from several threads at once.
 */
public interface DockerTransport {
    /**
     * Opens a new connection to the daemon, giving up after {@code connectTimeout}.
     *
     * @throws java.io.IOException when the daemon cannot be reached in time; the message should say why (it reaches
     *                             the user through a {@link DockerException} that names {@link #address()})
     */
    java.net.Socket connect(java.time.Duration connectTimeout) throws java.io.IOException;

    /**
     * The daemon address for messages, e.g. {@code "unix:///run/docker.sock"} or {@code "ssh://deploy@10.0.0.5"}. Never
     * contains a secret.
     */
    String address();

    /**
     * The built-in transport for a {@code DOCKER_HOST}-style address: {@code unix:///path/to/docker.sock} (a unix
     * socket that honours read timeouts, no native library) or {@code tcp://host:port} (plain TCP, no TLS; port 2375
     * when omitted). Handy to wrap (for example to count or trace connections).
     *
     * @throws IllegalArgumentException naming the value when it is neither
     */
    static DockerTransport forHost(String host) {
        return Transports.forHost(host);
    }
}
