package dev.zdd.nginx;

import dev.zdd.api.Endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Opens a new connection to an {@link NginxRouter}'s status server, which the router polls to confirm a reload. The
 * default, {@link #DIRECT}, connects by TCP from this process; zdd-ssh connects through the SSH connection to the
 * nginx host instead (the status server then listens on that host's loopback and needs no open port).
 *
 * <p>Implementations must be thread-safe, must return a new connection per call (so that each poll reaches whichever
 * worker generation accepts connections now) and must honour {@link Socket#setSoTimeout(int)} on the returned socket.
 */
@FunctionalInterface
public interface StatusConnector {
    /** Plain TCP from this process, connect bounded by the timeout. */
    StatusConnector DIRECT = (status, timeout) -> {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(status.host(), status.port()), millis);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    };

    /**
     * A new, connected socket to {@code status}.
     *
     * @param timeout bound on establishing the connection
     * @throws IOException when nothing answers in time
     */
    Socket connect(Endpoint status, Duration timeout) throws IOException;
}
