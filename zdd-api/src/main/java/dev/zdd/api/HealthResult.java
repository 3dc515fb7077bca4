package dev.zdd.api;

/**
 * One probe answer: a status and, unless healthy, a reason a person can act on.
 *
 * <p>Immutable; thread-safe.
 *
 * @param status HEALTHY, UNHEALTHY or UNKNOWN
 * @param reason why (empty when healthy)
 */
public record HealthResult(HealthStatus status, String reason) {
    private static final HealthResult HEALTHY = new HealthResult(HealthStatus.HEALTHY, "");

    /** Validates. */
    public HealthResult {
        Checks.notNull("healthResult.status", status);
        reason = reason == null ? "" : reason;
    }

    /** Healthy. */
    public static HealthResult healthy() {
        return HEALTHY;
    }

    /** Unhealthy, with a reason. */
    public static HealthResult unhealthy(String reason) {
        return new HealthResult(HealthStatus.UNHEALTHY, reason);
    }

    /** Unknown, with a reason. */
    public static HealthResult unknown(String reason) {
        return new HealthResult(HealthStatus.UNKNOWN, reason);
    }

    /** {@code true} when HEALTHY. */
    public boolean isHealthy() {
        return status == HealthStatus.HEALTHY;
    }
}
