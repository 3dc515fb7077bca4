package dev.zdd.core.guard;

import dev.zdd.api.HealthStatus;
import dev.zdd.api.ProbePolicy;

/**
 * Consecutive probe answers of one target against a {@link ProbePolicy}'s thresholds: {@code failureThreshold}
 * consecutive UNHEALTHY answers make it {@link Verdict#FAILING}, {@code successThreshold} consecutive HEALTHY ones
 * make it {@link Verdict#HEALTHY} again; UNKNOWN resets neither count. Starts HEALTHY (a serving target is presumed
 * healthy). Not thread-safe: the guard uses it under its lock.
 */
final class HealthCounter {
    /** What the answers so far say. */
    enum Verdict {
        /** Serves: presumed or proven healthy. */
        HEALTHY,
        /** Failed its failure threshold and has not passed its success threshold since. */
        FAILING
    }

    private final ProbePolicy policy;
    private Verdict verdict = Verdict.HEALTHY;
    private int failures;
    private int successes;

    HealthCounter(ProbePolicy policy) {
        this.policy = policy;
    }

    /** Counts one answer; returns the verdict when it changed with this answer, else {@code null}. */
    Verdict count(HealthStatus status) {
        switch (status) {
            case HEALTHY -> {
                successes++;
                failures = 0;
                if (verdict == Verdict.FAILING && successes >= policy.successThreshold()) {
                    verdict = Verdict.HEALTHY;
                    return verdict;
                }
            }
            case UNHEALTHY -> {
                failures++;
                successes = 0;
                if (verdict == Verdict.HEALTHY && failures >= policy.failureThreshold()) {
                    verdict = Verdict.FAILING;
                    return verdict;
                }
            }
            default -> {
                // UNKNOWN: neither count moves
            }
        }
        return null;
    }

    Verdict verdict() {
        return verdict;
    }
}
