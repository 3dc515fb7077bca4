package dev.zdd.api;

/**
 * Whether a router sends traffic to a target. Thread-safe (an enum).
 */
public enum RouteState {
    /** Receives new requests in proportion to its weight. */
    ACTIVE,
    /** Receives no new requests (sticky sessions may still land there), existing connections finish. */
    DRAINING,
    /** Receives nothing; existing connections may be cut. */
    DISABLED
}
