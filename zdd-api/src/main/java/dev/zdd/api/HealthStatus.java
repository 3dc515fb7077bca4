package dev.zdd.api;

/** The answer of a {@link HealthProbe}. Thread-safe (an enum). */
public enum HealthStatus {
    /** The target is ready for traffic. */
    HEALTHY,
    /** The target answered, and the answer says it is not ready (or it refused the connection). */
    UNHEALTHY,
    /** No verdict (for example, a container without a HEALTHCHECK that is still starting); counts neither way. */
    UNKNOWN
}
