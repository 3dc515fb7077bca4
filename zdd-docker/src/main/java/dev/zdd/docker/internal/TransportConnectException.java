package dev.zdd.docker.internal;

import java.net.ConnectException;

/**
 * A {@link dev.zdd.docker.DockerTransport} could not connect; the message names the daemon address and says why, so
 * that it can be shown instead of OkHttp's {@code Failed to connect to docker/127.0.0.1:80}. Immutable once thrown.
 */
public final class TransportConnectException extends ConnectException {
    private static final long serialVersionUID = 1L;

    private final String address;
    private final String reason;

    TransportConnectException(String address, String reason, Throwable cause) {
        super("cannot connect to " + address + ": " + reason);
        this.address = address;
        this.reason = reason;
        initCause(cause);
    }

    /** The daemon address that was tried. */
    public String address() {
        return address;
    }

    /** Why it failed (without the address). */
    public String reason() {
        return reason;
    }

    /** The first {@code TransportConnectException} in {@code t}'s cause chain (or its suppressed), or {@code null}. */
    public static TransportConnectException find(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof TransportConnectException tce) {
                return tce;
            }
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof TransportConnectException tce) {
                    return tce;
                }
            }
        }
        return null;
    }
}
