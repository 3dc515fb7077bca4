package dev.zdd.docker.internal;

import dev.zdd.api.Arguments;
import dev.zdd.docker.DockerTransport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

/** The built-in {@link DockerTransport}s: unix socket and plain TCP. Stateless; thread-safe. */
public final class Transports {
    /** The Docker daemon's usual plain TCP port. */
    public static final int DEFAULT_TCP_PORT = 2375;

    private Transports() {
    }

    /** The transport for {@code unix:///path} or {@code tcp://host:port}; IllegalArgumentException otherwise. */
    public static DockerTransport forHost(String host) {
        Arguments.notNull("docker.host", host);
        try {
            URI uri = new URI(host);
            String scheme = uri.getScheme();
            if ("unix".equals(scheme) && uri.getPath() != null && uri.getPath().startsWith("/")
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawAuthority() == null) {
                return new Unix(Path.of(uri.getPath()), host);
            }
            if (("tcp".equals(scheme) || "http".equals(scheme)) && uri.getHost() != null && uri.getRawUserInfo() == null
                    && (uri.getPath() == null || uri.getPath().isEmpty() || "/".equals(uri.getPath()))
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return new Tcp(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : DEFAULT_TCP_PORT, host);
            }
        } catch (URISyntaxException | java.nio.file.InvalidPathException e) {
            // reported below
        }
        throw new IllegalArgumentException("docker.host '" + Arguments.printable(host)
                + "' is invalid: expected unix:///path/to/docker.sock or tcp://host:port (TLS is not supported)");
    }

    static int millis(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return ms > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) ms;
    }

    /** A unix domain socket, through {@link UnixSocket} (honours read timeouts). */
    record Unix(Path path, String address) implements DockerTransport {
        @Override
        public Socket connect(Duration connectTimeout) throws IOException {
            UnixSocket s = new UnixSocket(path);
            s.connect(null, millis(connectTimeout));
            return s;
        }

        @Override
        public String toString() {
            return "unix transport " + address;
        }
    }

    /** Plain TCP. */
    record Tcp(String hostName, int port, String address) implements DockerTransport {
        @Override
        public Socket connect(Duration connectTimeout) throws IOException {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(hostName, port), millis(connectTimeout));
                return s;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        @Override
        public String toString() {
            return "tcp transport " + address;
        }
    }
}
