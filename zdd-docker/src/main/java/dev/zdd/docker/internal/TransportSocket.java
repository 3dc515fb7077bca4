package dev.zdd.docker.internal;

import dev.zdd.docker.DockerTransport;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.time.Duration;

/**
 * The socket OkHttp is given: unconnected until OkHttp calls {@link #connect(SocketAddress, int)}, which opens a
 * connection through a {@link DockerTransport} (whatever address OkHttp asks for) and from then on delegates to the
 * socket the transport returned. A read timeout set before the connection exists is applied once it does.
 *
 * <p>Thread-safety: like a {@link Socket}: one reader and one writer at once; {@link #close()} from any thread, also
 * while {@link #connect} is under way (the connection is then closed as soon as it is made).
 */
public final class TransportSocket extends Socket {
    private static final Duration FALLBACK_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final DockerTransport transport;
    private final Object lock = new Object();
    private volatile Socket delegate;
    private volatile boolean closed;
    private volatile int soTimeout;
    private volatile InetSocketAddress remote;

    /** An unconnected socket that connects through {@code transport}. */
    public TransportSocket(DockerTransport transport) throws SocketException {
        super((SocketImpl) null);
        this.transport = transport;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (delegate != null) {
                throw new SocketException("already connected");
            }
        }
        Duration connectTimeout = timeout > 0 ? Duration.ofMillis(timeout) : FALLBACK_CONNECT_TIMEOUT;
        String address = transport.address();
        Socket s;
        try {
            s = transport.connect(connectTimeout);
        } catch (InterruptedIOException e) {
            throw new TransportConnectException(address, "no connection within " + connectTimeout.toMillis() + " ms ("
                    + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new TransportConnectException(address, String.valueOf(e.getMessage()), e);
        }
        if (s == null) {
            throw new TransportConnectException(address, "the transport returned no connection", null);
        }
        synchronized (lock) {
            if (closed) {
                closeQuietly(s);
                throw new SocketException("Socket closed while connecting");
            }
            delegate = s;
        }
        try {
            s.setSoTimeout(soTimeout);
        } catch (SocketException e) {
            close();
            throw new TransportConnectException(address, "its connection does not support read timeouts: " + e, e);
        }
        remote = endpoint instanceof InetSocketAddress isa ? isa : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private Socket open() throws SocketException {
        Socket s = delegate;
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (s == null) {
            throw new SocketException("Socket is not connected");
        }
        return s;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return open().getInputStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return open().getOutputStream();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        soTimeout = timeout;
        Socket s = delegate;
        if (s != null) {
            s.setSoTimeout(timeout);
        }
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void close() throws IOException {
        Socket s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = delegate;
        }
        if (s != null) {
            s.close();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        open().shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        open().shutdownOutput();
    }

    @Override
    public boolean isInputShutdown() {
        Socket s = delegate;
        return s != null && s.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        Socket s = delegate;
        return s != null && s.isOutputShutdown();
    }

    @Override
    public boolean isConnected() {
        return delegate != null;
    }

    @Override
    public boolean isBound() {
        return delegate != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = remote;
        return r == null ? null : r.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress r = remote;
        return r == null ? 0 : r.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remote;
    }

    @Override
    public InetAddress getLocalAddress() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public int getLocalPort() {
        return -1;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return null;
    }

    // TCP options: passed on when connected (a transport may ignore them), otherwise accepted and ignored.

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        Socket s = delegate;
        if (s != null) {
            s.setTcpNoDelay(on);
        }
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        Socket s = delegate;
        return s == null || s.getTcpNoDelay();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        Socket s = delegate;
        if (s != null) {
            s.setKeepAlive(on);
        }
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        Socket s = delegate;
        return s != null && s.getKeepAlive();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        Socket s = delegate;
        if (s != null) {
            s.setSoLinger(on, linger);
        }
    }

    @Override
    public int getSoLinger() throws SocketException {
        Socket s = delegate;
        return s == null ? -1 : s.getSoLinger();
    }

    @Override
    public void setSendBufferSize(int size) {
    }

    @Override
    public void setReceiveBufferSize(int size) {
    }

    @Override
    public String toString() {
        return "TransportSocket[" + transport.address() + (closed ? ", closed" : "") + "]";
    }
}
