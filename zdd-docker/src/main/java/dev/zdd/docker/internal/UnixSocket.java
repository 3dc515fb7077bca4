package dev.zdd.docker.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Socket} over a unix domain socket, for OkHttp: the JDK's unix {@link SocketChannel} has no {@code socket()}
 * view, and streams from {@code Channels.newInputStream} ignore {@link #setSoTimeout(int)}, which OkHttp relies on when
 * it checks whether a pooled connection idle for more than 10 s is still healthy (a 1 ms read). Here the channel is
 * non-blocking and every read waits on a {@link Selector} for at most the read timeout, then throws
 * {@link SocketTimeoutException} like a TCP socket does.
 *
 * <p>Thread-safety: one reader and one writer may work at once (OkHttp's model); {@link #close()} may be called from
 * any thread and wakes both.
 */
public final class UnixSocket extends Socket {
    private static final long WRITE_WAIT_MILLIS = 1000;

    private final Path path;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private volatile SocketChannel channel;
    private volatile Selector readSelector;
    private volatile Selector writeSelector;
    private volatile InetSocketAddress remote;
    private volatile int soTimeout;
    private volatile boolean closed;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    /** An unconnected socket that connects to {@code path} whatever address it is given. */
    public UnixSocket(Path path) throws SocketException {
        super((SocketImpl) null);
        this.path = path;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public synchronized void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (channel != null) {
            throw new SocketException("already connected");
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            // connecting to a unix socket never waits on the network: it succeeds or fails at once
            ch.connect(UnixDomainSocketAddress.of(path));
            ch.configureBlocking(false);
            Selector rs = Selector.open();
            Selector ws = Selector.open();
            ch.register(rs, SelectionKey.OP_READ);
            ch.register(ws, SelectionKey.OP_WRITE);
            readSelector = rs;
            writeSelector = ws;
            channel = ch;
        } catch (IOException e) {
            closeQuietly(ch);
            ConnectException ce = new ConnectException("cannot connect to unix socket " + path + ": " + e.getMessage());
            ce.initCause(e);
            throw ce;
        }
        remote = endpoint instanceof InetSocketAddress isa ? isa : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Override
    public InputStream getInputStream() throws IOException {
        requireOpen();
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        requireOpen();
        return out;
    }

    private SocketChannel requireOpen() throws SocketException {
        SocketChannel ch = channel;
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (ch == null) {
            throw new SocketException("Socket is not connected");
        }
        return ch;
    }

    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        synchronized (readLock) {
            SocketChannel ch = requireOpen();
            if (inputShut) {
                return -1;
            }
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            int timeout = soTimeout;
            long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
            while (true) {
                int n;
                try {
                    n = ch.read(buf);
                } catch (ClosedChannelException e) {
                    throw new SocketException("Socket closed");
                }
                if (n != 0) {
                    return n;
                }
                long waitMillis = 0;
                if (deadline != 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
                }
                select(readSelector, waitMillis);
            }
        }
    }

    void write(byte[] b, int off, int len) throws IOException {
        synchronized (writeLock) {
            SocketChannel ch = requireOpen();
            if (outputShut) {
                throw new SocketException("Socket output is shutdown");
            }
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                int n;
                try {
                    n = ch.write(buf);
                } catch (ClosedChannelException e) {
                    throw new SocketException("Socket closed");
                }
                if (n == 0) {
                    // bounded waits, so that a close from another thread is noticed
                    select(writeSelector, WRITE_WAIT_MILLIS);
                }
            }
        }
    }

    private void select(Selector selector, long millis) throws IOException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        try {
            selector.select(millis);
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new SocketException("Socket closed");
        }
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(channel);
        closeQuietly(readSelector);
        closeQuietly(writeSelector);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        requireOpen().shutdownInput();
        inputShut = true;
    }

    @Override
    public void shutdownOutput() throws IOException {
        requireOpen().shutdownOutput();
        outputShut = true;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShut;
    }

    @Override
    public boolean isConnected() {
        return channel != null;
    }

    @Override
    public boolean isBound() {
        return channel != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
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

    // TCP options mean nothing on a unix socket: accepted and ignored.

    @Override
    public void setTcpNoDelay(boolean on) {
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
    }

    @Override
    public boolean getKeepAlive() {
        return false;
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
    }

    @Override
    public int getSoLinger() {
        return -1;
    }

    @Override
    public void setSendBufferSize(int size) {
    }

    @Override
    public void setReceiveBufferSize(int size) {
    }

    @Override
    public String toString() {
        return "UnixSocket[" + path + (closed ? ", closed" : "") + "]";
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = UnixSocket.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            return UnixSocket.this.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            UnixSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            UnixSocket.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            UnixSocket.this.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            UnixSocket.this.close();
        }
    }
}
