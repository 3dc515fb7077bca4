package dev.zdd.api;

/**
 * One probe answer: a status and, unless healthy, a reason a person can act on.
 *
 * <p>Immutable; thread-safe.
 *
 * @param status   HEALTHY, UNHEALTHY or UNKNOWN
 * @param reason   why (empty when healthy)
 * @param answered whether the target itself answered (an HTTP status, for example a 503), as opposed to not being
 *                 reachable (connection refused, timeout). A first answer ends the {@link ProbePolicy#startupGrace()}
 *                 when {@link ProbePolicy#graceEndsAtFirstAnswer()}: the process is up, so its "unhealthy" counts.
 *                 Always true when HEALTHY.
 */
public record HealthResult(HealthStatus status, String reason, boolean answered) {
    private static final HealthResult HEALTHY = new HealthResult(HealthStatus.HEALTHY, "", true);

    /** Validates; a HEALTHY result has always answered. */
    public HealthResult {
        Checks.notNull("healthResult.status", status);
        reason = reason == null ? "" : reason;
        answered = answered || status == HealthStatus.HEALTHY;
    }

    /** A result without an answer from the target (except HEALTHY, which is one). */
    public HealthResult(HealthStatus status, String reason) {
        this(status, reason, false);
    }

    /** Healthy. */
    public static HealthResult healthy() {
        return HEALTHY;
    }

    /** Unhealthy, with a reason. */
    public static HealthResult unhealthy(String reason) {
        return new HealthResult(HealthStatus.UNHEALTHY, reason);
    }

    /**
     * Unhealthy, but the target answered (for example HTTP 503 from a process that is up): it ends the startup grace
     * when {@link ProbePolicy#graceEndsAtFirstAnswer()}.
     */
    public static HealthResult unhealthyAnswer(String reason) {
        return new HealthResult(HealthStatus.UNHEALTHY, reason, true);
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
