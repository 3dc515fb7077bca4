package dev.zdd.ssh.internal;

import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.channel.ChannelPipedInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * An open SSH channel (a {@code direct-tcpip} forward or an exec of {@code docker system dial-stdio}) seen as a connected
 * {@link Socket}: its input is the channel's output, its output the channel's input. {@link #setSoTimeout(int)} bounds
 * every read (a read that waits longer throws {@link SocketTimeoutException}, as a TCP socket does); writes are
 * bounded by the SSH layer's window wait. Closing the socket closes the channel, not the SSH connection. Thread-safe
 * as a socket is: one reader and one writer at a time.
 */
public final class ChannelSocket extends Socket {
    private final ClientChannel channel;
    private final String description;
    private final InputStream in;
    private final OutputStream out;
    private volatile int soTimeout;
    private volatile boolean closed;
    private volatile boolean inputShut;
    private volatile boolean outputShut;

    /**
     * Prepares a channel before it is opened: MINA SSHD does not end the piped input when the server sends
     * {@code SSH_MSG_CHANNEL_EOF} (only when the channel closes, which OpenSSH does only after our own EOF), so a
     * listener ends it on EOF; a reader then sees -1 as from a TCP socket whose peer closed.
     */
    public static void prepare(ClientChannel channel) {
        channel.addChannelListener(new ChannelListener() {
            @Override
            public void channelStateChanged(Channel ch, String hint) {
                if ("SSH_MSG_CHANNEL_EOF".equals(hint) && channel.getInvertedOut() instanceof ChannelPipedInputStream p) {
                    p.eof();
                }
            }
        });
    }

    /** Wraps an opened channel (streaming mode {@code Sync}, {@link #prepare prepared}). */
    public ChannelSocket(ClientChannel channel, String description) {
        this.channel = channel;
        this.description = description;
        InputStream raw = channel.getInvertedOut();
        OutputStream rawOut = channel.getInvertedIn();
        this.in = new TimedInput(raw);
        this.out = rawOut;
        applyTimeout(0);
    }

    private void applyTimeout(int millis) {
        InputStream raw = channel.getInvertedOut();
        if (raw instanceof ChannelPipedInputStream p) {
            p.setTimeout(millis);
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        ensureOpen();
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureOpen();
        return out;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        soTimeout = timeout;
        applyTimeout(timeout);
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // every write is sent as an SSH packet; nothing to configure
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
        // the SSH connection has its own keep-alive
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
        // nothing lingers: closing closes the channel
    }

    @Override
    public void setReceiveBufferSize(int size) {
        // the SSH window decides
    }

    @Override
    public void setSendBufferSize(int size) {
        // the SSH window decides
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        throw new SocketException("already connected through " + description);
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        throw new SocketException("already connected through " + description);
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public InetAddress getInetAddress() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public void shutdownOutput() throws IOException {
        outputShut = true;
        out.close(); // sends EOF on the channel
    }

    @Override
    public void shutdownInput() {
        inputShut = true;
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
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // wakes a read blocked in the pipe at once, then drops the channel (not the SSH connection)
            if (channel.getInvertedOut() instanceof ChannelPipedInputStream p) {
                p.close();
            }
        } finally {
            channel.close(true);
            super.close();
        }
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("socket closed (" + description + ")");
        }
    }

    @Override
    public String toString() {
        return "ChannelSocket[" + description + "]";
    }

    /** Turns the pipe's timeout into a {@link SocketTimeoutException}. */
    private final class TimedInput extends InputStream {
        private final InputStream raw;

        TimedInput(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (inputShut) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            try {
                return raw.read(b, off, len);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (SocketException e) {
                if (String.valueOf(e.getMessage()).contains("Timeout") && !closed) {
                    SocketTimeoutException t = new SocketTimeoutException("read timed out after " + soTimeout
                            + " ms (" + description + ")");
                    t.initCause(e);
                    throw t;
                }
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            int n = raw.available();
            return Math.max(0, n);
        }

        @Override
        public void close() throws IOException {
            ChannelSocket.this.close();
        }
    }
}
