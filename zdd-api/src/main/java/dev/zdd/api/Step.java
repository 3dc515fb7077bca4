package dev.zdd.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One step of a {@link Plan}: plain data, no behaviour. The engine gives each kind its meaning; a {@link Strategy} only
 * arranges them. Steps refer to targets by id; a {@link Launch} step introduces a new id whose endpoint becomes known
 * when it runs.
 *
 * <p>All implementations are immutable records; thread-safe.
 */
public sealed interface Step {
    /** One line a person can read, as printed by a dry run. */
    String describe();

    /**
     * Start an instance through the {@link TargetLauncher}.
     *
     * @param targetId   id of the new target
     * @param version    version to start
     * @param attributes attributes of the new target (for example its colour)
     */
    record Launch(String targetId, String version, Map<String, String> attributes) implements Step {
        /** Validates and copies. */
        public Launch {
            Checks.name("launch.targetId", targetId);
            Checks.name("launch.version", version);
            Checks.notNull("launch.attributes", attributes);
            attributes = java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
        }

        @Override
        public String describe() {
            return "launch " + targetId + " (" + version + (attributes.isEmpty() ? "" : " " + attributes) + ")";
        }
    }

    /**
     * Probe the targets in parallel under the engine's {@link ProbePolicy} until all are healthy; fails when one fails.
     *
     * @param targetIds targets to probe
     */
    record AwaitHealthy(List<String> targetIds) implements Step {
        /** Validates and copies. */
        public AwaitHealthy {
            targetIds = ids("awaitHealthy.targetIds", targetIds);
        }

        @Override
        public String describe() {
            return "await healthy " + String.join(", ", targetIds);
        }
    }

    /**
     * Make the router match a routing table: exactly these targets with these weights and states (targets not listed
     * are removed from the router's table), plus stickiness and rules.
     *
     * @param label       short name for reports ("canary 10%")
     * @param allocations one per target
     * @param stickiness  sticky split, or {@code null}
     * @param rules       rules, never null
     */
    record ShiftTraffic(String label, List<Allocation> allocations, Stickiness stickiness, List<Rule> rules) implements Step {
        /** Validates and copies. */
        public ShiftTraffic {
            Checks.notNull("shiftTraffic.label", label);
            Checks.noNulls("shiftTraffic.allocations", allocations);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Allocation a : allocations) {
                if (!seen.add(a.targetId())) {
                    throw new IllegalArgumentException("shiftTraffic.allocations has duplicate target id '" + a.targetId() + "'");
                }
            }
            allocations = List.copyOf(allocations);
            rules = rules == null ? List.of() : List.copyOf(Checks.noNulls("shiftTraffic.rules", rules));
        }

        /** A shift with weights only. */
        public static ShiftTraffic of(String label, List<Allocation> allocations) {
            return new ShiftTraffic(label, allocations, null, List.of());
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder("shift traffic [").append(label).append("]:");
            for (Allocation a : allocations) {
                sb.append(' ').append(a.targetId()).append('=');
                sb.append(a.state() == RouteState.ACTIVE ? String.valueOf(a.weight()) : a.state().name().toLowerCase(java.util.Locale.ROOT));
            }
            if (stickiness != null) {
                sb.append(" sticky on ").append(stickiness.key());
            }
            for (Rule r : rules) {
                sb.append(" rule ").append(r.key()).append(" in ").append(r.values()).append(" -> ").append(r.version());
            }
            return sb.toString();
        }
    }

    /**
     * One target's line in a {@link ShiftTraffic}.
     *
     * @param targetId target
     * @param weight   relative weight, 0 to {@link Routing#MAX_WEIGHT}
     * @param state    state
     */
    record Allocation(String targetId, int weight, RouteState state) {
        /** Validates. */
        public Allocation {
            Checks.name("allocation.targetId", targetId);
            Checks.range("allocation.weight of " + targetId, weight, 0, Routing.MAX_WEIGHT);
            Checks.notNull("allocation.state", state);
        }

        /** ACTIVE with a weight. */
        public static Allocation active(String targetId, int weight) {
            return new Allocation(targetId, weight, RouteState.ACTIVE);
        }

        /** DRAINING, weight 0. */
        public static Allocation draining(String targetId) {
            return new Allocation(targetId, 0, RouteState.DRAINING);
        }
    }

    /**
     * Wait for a duration; {@link Deployment#promote()} ends the wait early. Paused time does not count.
     *
     * @param duration how long, positive
     */
    record Pause(Duration duration) implements Step {
        /** Validates. */
        public Pause {
            Checks.positive("pause.duration", duration);
        }

        @Override
        public String describe() {
            return "pause " + duration;
        }
    }

    /**
     * Wait until a person calls {@link Deployment#promote()}; when {@code timeout} passes first, the deployment rolls
     * back.
     *
     * @param name    shown to the person
     * @param timeout how long to wait, positive
     */
    record Gate(String name, Duration timeout) implements Step {
        /** Validates. */
        public Gate {
            Checks.name("gate.name", name);
            Checks.positive("gate.timeout", timeout);
        }

        @Override
        public String describe() {
            return "manual gate '" + name + "' (rolls back after " + timeout + ")";
        }
    }

    /**
     * Run the {@link DeploymentCheck} registered under {@code name}; FAIL rolls back, and so does INCONCLUSIVE unless
     * the engine is told otherwise.
     *
     * @param name registered check name
     */
    record Check(String name) implements Step {
        /** Validates. */
        public Check {
            Checks.name("check.name", name);
        }

        @Override
        public String describe() {
            return "check '" + name + "'";
        }
    }

    /**
     * A verification window after the last traffic shift: for {@code window}, probe {@code targetIds} (the new
     * targets) under the engine's probe policy and run the named checks every {@code checkInterval}; a target that
     * fails its failure threshold, or a check that answers FAIL, fails the step, and the deployment rolls back while
     * the old side is still available (INCONCLUSIVE answers during the window are not failures). promote() ends the
     * window early. When the window passes without a failure, the step succeeds.
     *
     * @param targetIds     targets to probe (may be empty: checks only)
     * @param window        how long to verify, positive
     * @param checks        registered check names run during the window (may be empty)
     * @param checkInterval time between two runs of each check, positive
     */
    record Verify(List<String> targetIds, Duration window, List<String> checks, Duration checkInterval) implements Step {
        /** Validates and copies. */
        public Verify {
            Checks.noNulls("verify.targetIds", targetIds);
            targetIds = List.copyOf(targetIds);
            for (String id : targetIds) {
                Checks.name("verify.targetIds", id);
            }
            Checks.positive("verify.window", window);
            Checks.noNulls("verify.checks", checks);
            checks = List.copyOf(checks);
            for (String c : checks) {
                Checks.name("verify.checks", c);
            }
            Checks.positive("verify.checkInterval", checkInterval);
        }

        @Override
        public String describe() {
            return "verify " + (targetIds.isEmpty() ? "" : targetIds + " ") + "for " + window
                    + (checks.isEmpty() ? "" : " with checks " + checks + " every " + checkInterval);
        }
    }

    /**
     * Wait until the targets (already DRAINING or DISABLED in the routing) have no open connections, or {@code timeout}
     * passes. With a router that cannot count connections ({@link ConnectionStats}), waits the whole timeout. Never
     * fails on timeout: the result lists what was still open.
     *
     * @param targetIds targets being drained
     * @param timeout   longest wait, not negative
     */
    record Drain(List<String> targetIds, Duration timeout) implements Step {
        /** Validates and copies. */
        public Drain {
            targetIds = ids("drain.targetIds", targetIds);
            Checks.nonNegative("drain.timeout", timeout);
        }

        @Override
        public String describe() {
            return "drain " + String.join(", ", targetIds) + " (up to " + timeout + ")";
        }
    }

    /**
     * Stop the targets through the {@link TargetLauncher} (no-op for targets when there is no launcher).
     *
     * @param targetIds targets to stop
     * @param grace     time between the polite signal and the forced stop
     */
    record Retire(List<String> targetIds, Duration grace) implements Step {
        /** Validates and copies. */
        public Retire {
            targetIds = ids("retire.targetIds", targetIds);
            Checks.nonNegative("retire.grace", grace);
        }

        @Override
        public String describe() {
            return "retire " + String.join(", ", targetIds) + " (grace " + grace + ")";
        }
    }

    /**
     * Run the {@link DeploymentHook} registered under {@code name}; a hook that throws or times out rolls back.
     *
     * @param name registered hook name
     */
    record Hook(String name) implements Step {
        /** Validates. */
        public Hook {
            Checks.name("hook.name", name);
        }

        @Override
        public String describe() {
            return "hook '" + name + "'";
        }
    }

    /**
     * "No rollback past here" (a schema migration, say): a failure after this step pauses the deployment for a person
     * instead of rolling back.
     *
     * @param reason why
     */
    record PointOfNoReturn(String reason) implements Step {
        /** Validates. */
        public PointOfNoReturn {
            Checks.notNull("pointOfNoReturn.reason", reason);
        }

        @Override
        public String describe() {
            return "point of no return: " + reason;
        }
    }

    private static List<String> ids(String field, List<String> ids) {
        Checks.noNulls(field, ids);
        if (ids.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String id : ids) {
            Checks.name(field, id);
            if (!seen.add(id)) {
                throw new IllegalArgumentException(field + " has duplicate target id '" + id + "'");
            }
        }
        return List.copyOf(ids);
    }
}
