package dev.zdd.docker.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import javax.net.SocketFactory;

/**
 * Makes {@link UnixSocket}s to one unix socket path, whatever host and port OkHttp asks for. Thread-safe (immutable).
 */
public final class UnixSocketFactory extends SocketFactory {
    private final Path path;

    /** A factory for sockets to {@code path}. */
    public UnixSocketFactory(Path path) {
        this.path = path;
    }

    @Override
    public Socket createSocket() throws IOException {
        return new UnixSocket(path);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return createSocket(address, port);
    }

    private Socket connected(InetSocketAddress address) throws IOException {
        UnixSocket s = new UnixSocket(path);
        s.connect(address);
        return s;
    }
}
