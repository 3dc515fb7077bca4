package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.api.Endpoint;
import dev.zdd.nginx.StatusConnector;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/**
 * Reaches an {@code NginxRouter}'s status server through the SSH connection to the nginx host: each call opens a new
 * {@code direct-tcpip} channel (what {@code ssh -L} does per connection), so the status server may listen on the
 * host's loopback and no port has to be opened to the deployer. Honours {@link Socket#setSoTimeout(int)}.
 *
 * <p>Immutable; thread-safe.
 */
public final class SshStatusConnector implements StatusConnector {
    private final SshClientPool pool;
    private final SshHost host;

    /** Connects through {@code host}. */
    public SshStatusConnector(SshClientPool pool, SshHost host) {
        this.pool = Arguments.notNull("pool", pool);
        this.host = Arguments.notNull("host", host);
    }

    @Override
    public Socket connect(Endpoint status, Duration timeout) throws IOException {
        return pool.connectVia(host, status.host(), status.port(), timeout);
    }

    @Override
    public String toString() {
        return "via ssh " + host;
    }
}
