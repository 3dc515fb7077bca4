package dev.zdd.docker.internal;

import dev.zdd.docker.DockerTransport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Makes {@link TransportSocket}s through one {@link DockerTransport}, whatever host and port OkHttp asks for.
 * Thread-safe (immutable).
 */
public final class TransportSocketFactory extends SocketFactory {
    private final DockerTransport transport;

    /** A factory for sockets through {@code transport}. */
    public TransportSocketFactory(DockerTransport transport) {
        this.transport = transport;
    }

    @Override
    public Socket createSocket() throws IOException {
        return new TransportSocket(transport);
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
        TransportSocket s = new TransportSocket(transport);
        s.connect(address);
        return s;
    }
}
