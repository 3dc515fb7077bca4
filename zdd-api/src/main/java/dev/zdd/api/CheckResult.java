package dev.zdd.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link DeploymentCheck}'s verdict with the values behind it, which the engine keeps in the result and logs.
 *
 * <p>Immutable; thread-safe.
 *
 * @param verdict      PASS, FAIL or INCONCLUSIVE
 * @param detail       why, for a person
 * @param measurements named values measured (for example {@code errorRate=0.012})
 */
public record CheckResult(Verdict verdict, String detail, Map<String, Double> measurements) {
    /** The verdict of a check. */
    public enum Verdict {
        /** Good enough to go on. */
        PASS,
        /** Bad: roll back. */
        FAIL,
        /** Not enough data (no traffic, no samples): never a pass. */
        INCONCLUSIVE
    }

    /** Validates and copies. */
    public CheckResult {
        Checks.notNull("checkResult.verdict", verdict);
        detail = detail == null ? "" : detail;
        measurements = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(measurements == null ? Map.of() : measurements));
    }

    /** PASS. */
    public static CheckResult pass(String detail) {
        return new CheckResult(Verdict.PASS, detail, Map.of());
    }

    /** FAIL. */
    public static CheckResult fail(String detail) {
        return new CheckResult(Verdict.FAIL, detail, Map.of());
    }

    /** INCONCLUSIVE. */
    public static CheckResult inconclusive(String detail) {
        return new CheckResult(Verdict.INCONCLUSIVE, detail, Map.of());
    }
}
