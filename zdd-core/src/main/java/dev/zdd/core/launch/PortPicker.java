package dev.zdd.core.launch;

import dev.zdd.api.LaunchException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;

/**
 * Picks {@link ProcessLauncher}'s ports: the first port of the range, rotating from the one after the last handed out,
 * that the launcher does not hold and that can be bound on the host right now (with {@code SO_REUSEADDR}, as servers
 * bind: connections of an earlier instance still in TIME_WAIT do not make a port busy; a listener does). Package-private; not thread-safe (the
 * launcher calls it under its port lock).
 */
final class PortPicker {
    private final int portMin;
    private final int portMax;
    private final String host;
    private int nextPort;

    PortPicker(int portMin, int portMax, String host) {
        this.portMin = portMin;
        this.portMax = portMax;
        this.host = host;
        this.nextPort = portMin;
    }

    /** A free port for target {@code id}, skipping {@code held}; throws when the range has none. */
    int reserve(String id, Set<Integer> held) {
        int size = portMax - portMin + 1;
        for (int i = 0; i < size; i++) {
            int p = portMin + Math.floorMod(nextPort - portMin + i, size);
            if (held.contains(p)) {
                continue;
            }
            if (canBind(p)) {
                nextPort = p + 1 > portMax ? portMin : p + 1;
                return p;
            }
        }
        throw new LaunchException("target " + id + ": no free port in " + portMin + "-" + portMax + " on " + host
                + " (this launcher holds " + held.size() + ")");
    }

    private boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket()) {
            // SO_REUSEADDR, as servers bind (busybox, the JDK on Linux, nginx, Go): a port whose only users are TIME_WAIT
            // connections of a retired instance is free for them; a port something listens on is refused all the same
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
