package dev.zdd.core.policy;

import dev.zdd.api.Plan;
import dev.zdd.api.Step;

import java.util.ArrayList;
import java.util.List;

/**
 * Plan decorators: policies applied to any strategy's plan. Stateless; thread-safe.
 */
public final class Plans {
    private Plans() {
    }

    /**
     * The plan with {@link Step.Hook} steps inserted: {@code before} ahead of every {@link Step.ShiftTraffic},
     * {@code after} behind every one, and {@code completion} once all traffic has moved: just before the first
     * {@link Step.Retire} that follows the last traffic shift (so that a veto still rolls back onto old targets that are
     * alive), or as the last step when nothing is retired after it. Each name may be {@code null} to insert nothing
     * there. Hooks are registered with the engine under these names; one that throws or outlives the engine's deadline
     * vetoes the deployment (it rolls back, or pauses past a {@link Step.PointOfNoReturn}).
     *
     * @throws IllegalArgumentException when {@code plan} is null or a name is not a valid hook name
     */
    public static Plan withHooks(Plan plan, String before, String after, String completion) {
        if (plan == null) {
            throw new IllegalArgumentException("plan must not be null");
        }
        Step.Hook b = before == null ? null : new Step.Hook(before);
        Step.Hook a = after == null ? null : new Step.Hook(after);
        Step.Hook c = completion == null ? null : new Step.Hook(completion);
        List<Step> steps = plan.steps();
        int lastShift = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) instanceof Step.ShiftTraffic) {
                lastShift = i;
            }
        }
        int completionAt = steps.size();
        for (int i = lastShift + 1; i < steps.size(); i++) {
            if (steps.get(i) instanceof Step.Retire) {
                completionAt = i;
                break;
            }
        }
        List<Step> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (i == completionAt && c != null) {
                out.add(c);
            }
            if (s instanceof Step.ShiftTraffic && b != null) {
                out.add(b);
            }
            out.add(s);
            if (s instanceof Step.ShiftTraffic && a != null) {
                out.add(a);
            }
        }
        if (completionAt == steps.size() && c != null) {
            out.add(c);
        }
        return new Plan(plan.strategy(), out);
    }
}
