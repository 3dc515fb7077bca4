package dev.zdd.api;

import java.util.Map;

/**
 * Optional second interface of a {@link TrafficRouter} that knows how many connections each target has open, so that a
 * drain can wait until they reach zero instead of waiting out a fixed time. Declared by
 * {@link RouterCapabilities#connectionCounts()}.
 *
 * <p>Implementations are thread-safe.
 */
public interface ConnectionStats {
    /**
     * Current open connections (or sessions) per target id; targets the router does not know are absent.
     *
     * @throws RouterException when the router cannot be read
     */
    Map<String, Integer> activeConnections();
}
