package dev.zdd.haproxy.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One request/answer exchange over a unix or TCP stream socket with hard deadlines: a non-blocking channel and a
 * {@link Selector}, so that neither connecting, writing nor reading can block past its timeout (blocking unix channels
 * ignore read timeouts on JDK 17). Stateless; thread-safe.
 */
public final class SocketIo {
    /** The largest answer accepted; anything longer is refused rather than buffered without bound. */
    public static final int MAX_ANSWER_BYTES = 32 * 1024 * 1024;

    private SocketIo() {
    }

    /**
     * Connects to {@code address} within {@code connectTimeout}, writes {@code request}, and reads until the peer closes,
     * all of the answer within {@code readTimeout}.
     *
     * @throws SocketTimeoutException when a deadline passes
     * @throws IOException            on any other socket failure, or an answer above {@link #MAX_ANSWER_BYTES}
     */
    public static String exchange(StandardProtocolFamily family, SocketAddress address, String request,
                                  Duration connectTimeout, Duration readTimeout) throws IOException {
        try (SocketChannel ch = SocketChannel.open(family); Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            long connectDeadline = System.nanoTime() + connectTimeout.toNanos();
            if (!ch.connect(address)) {
                SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) {
                    await(selector, connectDeadline, "connect");
                    selector.selectedKeys().clear();
                }
                key.cancel();
                selector.selectNow();
            }
            long deadline = System.nanoTime() + readTimeout.toNanos();
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                if (ch.write(out) == 0) {
                    await(selector, deadline, "write");
                    selector.selectedKeys().clear();
                }
            }
            key.interestOps(SelectionKey.OP_READ);
            ByteArrayOutputStream answer = new ByteArrayOutputStream(1024);
            ByteBuffer in = ByteBuffer.allocate(16 * 1024);
            while (true) {
                int n = ch.read(in);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    await(selector, deadline, "read");
                    selector.selectedKeys().clear();
                    continue;
                }
                in.flip();
                answer.write(in.array(), 0, in.limit());
                in.clear();
                if (answer.size() > MAX_ANSWER_BYTES) {
                    throw new IOException("answer longer than " + MAX_ANSWER_BYTES + " bytes");
                }
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static void await(Selector selector, long deadline, String what) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException(what + " timed out");
        }
        selector.select(Math.max(1, left / 1_000_000));
        if (System.nanoTime() - deadline >= 0 && selector.selectedKeys().isEmpty()) {
            throw new SocketTimeoutException(what + " timed out");
        }
    }
}
