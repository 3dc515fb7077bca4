package dev.zdd.haproxy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A fake runtime API on a unix socket: answers each received line with what a function says (null: never answer, hold the
 * connection until closed, at most 60 s).
 */
final class FakeRuntimeApi implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread thread;
    private final Path path;
    final List<String> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    FakeRuntimeApi(Path path, Function<String, String> answers) throws IOException {
        this.path = path;
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        thread = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(65536);
                    StringBuilder sb = new StringBuilder();
                    while (sb.indexOf("\n") < 0 && ch.read(buf) > 0) {
                        buf.flip();
                        sb.append(StandardCharsets.UTF_8.decode(buf));
                        buf.clear();
                    }
                    String line = sb.toString().trim();
                    received.add(line);
                    String answer = answers.apply(line);
                    if (answer == null) {
                        closed.await(60, TimeUnit.SECONDS);
                        continue;
                    }
                    ch.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "fake-runtime-api");
        thread.setDaemon(true);
        thread.start();
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        thread.interrupt();
        Files.deleteIfExists(path);
    }
}
