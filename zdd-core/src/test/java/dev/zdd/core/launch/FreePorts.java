package dev.zdd.core.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback ports for tests that start real servers: a run of consecutive ports, starting at one the kernel handed out
 * ({@code new ServerSocket(0)}), each verified bindable right before use. Stateless; thread-safe.
 */
public final class FreePorts {
    private FreePorts() {
    }

    /** The first of {@code count} consecutive ports on 127.0.0.1 that could all be bound just now. */
    public static int range(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                first = s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("cannot bind an ephemeral loopback port", e);
            }
            if (first + count - 1 <= 65535 && allBindable(first, count)) {
                return first;
            }
        }
        throw new IllegalStateException("found no " + count + " consecutive free loopback ports in 100 attempts");
    }

    private static boolean allBindable(int first, int count) {
        for (int p = first; p < first + count; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 1);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
