package dev.zdd.api;

import java.util.List;

/**
 * What a {@link Strategy} produces: an ordered list of {@link Step}s, plain data. A dry run prints it with
 * {@link #render()}; the engine runs it; tests assert on it.
 *
 * <p>Immutable; thread-safe.
 *
 * @param strategy name of the strategy that made it ("blue-green", "canary", "rolling")
 * @param steps    the steps, in order; not empty
 */
public record Plan(String strategy, List<Step> steps) {
    /** Validates and copies. */
    public Plan {
        Checks.notNull("plan.strategy", strategy);
        Checks.noNulls("plan.steps", steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("plan.steps must not be empty");
        }
        steps = List.copyOf(steps);
    }

    /** The plan as numbered lines, one per step: what a dry run prints. */
    public String render() {
        StringBuilder sb = new StringBuilder("plan (").append(strategy).append("), ").append(steps.size()).append(" steps\n");
        int width = String.valueOf(steps.size()).length();
        for (int i = 0; i < steps.size(); i++) {
            sb.append(String.format("%" + width + "d. ", i + 1)).append(steps.get(i).describe()).append('\n');
        }
        return sb.toString();
    }
}
