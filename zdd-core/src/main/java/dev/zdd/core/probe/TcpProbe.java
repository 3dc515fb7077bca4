package dev.zdd.core.probe;

import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.Target;
import dev.zdd.core.internal.io.Texts;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * Probes a target by opening a TCP connection to it (to its endpoint's port, or to a fixed other port such as a
 * management port) within the attempt's timeout, and closing it at once. Healthy when the connection is accepted.
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()} or use {@link #create()}.
 */
public final class TcpProbe implements HealthProbe {
    /** Default port override: {@value}, meaning "the target endpoint's own port". */
    public static final int DEFAULT_PORT = 0;

    private final int port;

    private TcpProbe(Builder b) {
        this.port = b.port;
    }

    /** A probe that connects to each target's own endpoint. */
    public static TcpProbe create() {
        return builder().build();
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public HealthResult check(Target target, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(timeout, "timeout");
        String host = target.endpoint().host();
        int p = port == 0 ? target.endpoint().port() : port;
        String what = "connect " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + p;
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, p), millis);
            return HealthResult.healthy();
        } catch (ConnectException e) {
            String msg = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
            return HealthResult.unhealthy(what + ": " + (msg.contains("refused") ? "connection refused" : Texts.snippet(e.getMessage(), 200)));
        } catch (SocketTimeoutException e) {
            return HealthResult.unhealthy(what + ": timed out after " + Texts.millis(timeout));
        } catch (IOException | IllegalArgumentException e) {
            return HealthResult.unhealthy(what + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + Texts.snippet(e.getMessage(), 200)));
        }
    }

    @Override
    public String toString() {
        return "TcpProbe[" + (port == 0 ? "target port" : "port " + port) + "]";
    }

    /** Builds a {@link TcpProbe}. Not thread-safe. */
    public static final class Builder {
        private int port = DEFAULT_PORT;

        private Builder() {
        }

        /** Connect to this port instead of the target's (1 to 65535), or 0 for the target's. Default {@value #DEFAULT_PORT}. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("tcpProbe.port must be in [0, 65535], was " + value);
            }
            port = value;
            return this;
        }

        /** Builds the probe. */
        public TcpProbe build() {
            return new TcpProbe(this);
        }
    }
}
