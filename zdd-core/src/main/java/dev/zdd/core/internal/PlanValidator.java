package dev.zdd.core.internal;

import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a plan against what the engine has and what the router can do, before anything is touched. Every problem is an
 * {@link IllegalArgumentException} naming the step (numbered from 1, as {@link Plan#render()} prints it), the field and
 * the value. Stateless; thread-safe. Internal.
 */
public final class PlanValidator {
    /** Placeholder endpoint of targets that a Launch step will introduce (only weights matter to the checks). */
    private static final String PLACEHOLDER_HOST = "launched.invalid";

    private PlanValidator() {
    }

    /** Longest step description quoted in messages. */
    static final int STEP_TEXT = 120;

    /** {@code plan step 3 of 7 (describe)}. */
    public static String stepName(Plan plan, int index) {
        return "plan step " + (index + 1) + " of " + plan.steps().size() + " ("
                + Texts.brief(plan.steps().get(index).describe(), STEP_TEXT) + ")";
    }

    /**
     * Validates {@code plan}.
     *
     * @throws IllegalArgumentException naming the first problem
     */
    public static void validate(Plan plan, PlanContext context, EngineConfig config) {
        Map<String, Target> known = new HashMap<>();
        Map<String, String> origin = new HashMap<>();
        for (Route r : context.current().routes()) {
            known.put(r.target().id(), r.target());
            origin.put(r.target().id(), "in the router's current routing");
        }
        for (Target t : context.spec().targets()) {
            known.putIfAbsent(t.id(), t);
            origin.putIfAbsent(t.id(), "in the spec's targets");
        }
        Map<String, Integer> retiredBy = new HashMap<>();
        InForce inForce = new InForce(context.current());
        List<Step> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            try {
                check(step, i, known, origin, retiredBy, context, config);
                inForce.check(step, i);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(stepName(plan, i) + ": " + e.getMessage(), e);
            }
        }
    }

    private static void check(Step step, int i, Map<String, Target> known, Map<String, String> origin,
                              Map<String, Integer> retiredBy, PlanContext context, EngineConfig config) {
        if (step instanceof Step.Launch s) {
            if (config.launcher() == null) {
                throw new IllegalArgumentException("launch of '" + s.targetId()
                        + "' needs a target launcher, but the engine has none (Engine.builder().launcher(...))");
            }
            String where = origin.get(s.targetId());
            if (where != null) {
                throw new IllegalArgumentException("launch.targetId '" + s.targetId() + "' already exists (" + where + ")");
            }
            known.put(s.targetId(), new Target(s.targetId(), s.version(), new dev.zdd.api.Endpoint(PLACEHOLDER_HOST, 1),
                    s.attributes()));
            origin.put(s.targetId(), "launched by plan step " + (i + 1));
        } else if (step instanceof Step.AwaitHealthy s) {
            if (config.probe() == null) {
                throw new IllegalArgumentException(
                        "await healthy needs a health probe, but the engine has none (Engine.builder().probe(...))");
            }
            requireKnown("awaitHealthy.targetIds", s.targetIds(), known);
        } else if (step instanceof Step.ShiftTraffic s) {
            List<Route> routes = new ArrayList<>(s.allocations().size());
            List<Step.Allocation> allocations = s.allocations();
            for (int a = 0; a < allocations.size(); a++) {
                Step.Allocation al = allocations.get(a);
                String field = "shiftTraffic.allocations[" + a + "].targetId";
                Target t = known.get(al.targetId());
                if (t == null) {
                    throw unknown(field, al.targetId());
                }
                Integer retired = retiredBy.get(al.targetId());
                if (retired != null) {
                    throw new IllegalArgumentException(field + " '" + al.targetId() + "' was retired by plan step " + retired);
                }
                routes.add(new Route(t, al.weight(), al.state()));
            }
            Routing routing = new Routing(routes, s.stickiness(), s.rules());
            if (routing.servingWeight() == 0) {
                throw new IllegalArgumentException("shiftTraffic.allocations serve no traffic (no ACTIVE target with a weight"
                        + " above 0): applying it would take the service down");
            }
            context.capabilities().check(config.routerName(), routing);
        } else if (step instanceof Step.Check s) {
            if (!config.checks().containsKey(s.name())) {
                throw new IllegalArgumentException("check.name '" + s.name() + "' is not registered (registered checks: "
                        + new TreeSet<>(config.checks().keySet()) + "; use Engine.builder().check(name, check))");
            }
        } else if (step instanceof Step.Hook s) {
            if (!config.hooks().containsKey(s.name())) {
                throw new IllegalArgumentException("hook.name '" + s.name() + "' is not registered (registered hooks: "
                        + new TreeSet<>(config.hooks().keySet()) + "; use Engine.builder().hook(name, hook))");
            }
        } else if (step instanceof Step.Verify s) {
            requireKnown("verify.targetIds", s.targetIds(), known);
            for (String c : s.checks()) {
                if (!config.checks().containsKey(c)) {
                    throw new IllegalArgumentException("verify.checks '" + c + "' is not registered (registered checks: "
                            + new TreeSet<>(config.checks().keySet()) + "; use Engine.builder().check(name, check))");
                }
            }
        } else if (step instanceof Step.Drain s) {
            requireKnown("drain.targetIds", s.targetIds(), known);
        } else if (step instanceof Step.Retire s) {
            requireKnown("retire.targetIds", s.targetIds(), known);
            for (String id : s.targetIds()) {
                retiredBy.putIfAbsent(id, i + 1);
            }
        }
        // Pause, Gate and PointOfNoReturn validate themselves when built.
    }

    private static void requireKnown(String field, List<String> ids, Map<String, Target> known) {
        for (String id : ids) {
            if (!known.containsKey(id)) {
                throw unknown(field, id);
            }
        }
    }

    private static IllegalArgumentException unknown(String field, String id) {
        return new IllegalArgumentException(field + " '" + id + "' is not a known target (not in the router's current"
                + " routing, not in the spec's targets, not launched by an earlier step)");
    }

    /**
     * The routing in force at each step of the plan: a Retire may not stop a target that it still sends traffic to
     * (that would leave traffic on a stopped target); shift traffic away from it first.
     */
    private static final class InForce {
        private final Map<String, Integer> serving = new HashMap<>();
        private String source = "the router's current routing";

        InForce(Routing current) {
            record(current.routes());
        }

        void check(Step step, int i) {
            if (step instanceof Step.ShiftTraffic s) {
                serving.clear();
                for (Step.Allocation a : s.allocations()) {
                    if (a.state() == dev.zdd.api.RouteState.ACTIVE && a.weight() > 0) {
                        serving.put(a.targetId(), a.weight());
                    }
                }
                source = "plan step " + (i + 1);
            } else if (step instanceof Step.Retire s) {
                for (String id : s.targetIds()) {
                    Integer w = serving.get(id);
                    if (w != null) {
                        throw new IllegalArgumentException("retire.targetIds '" + id + "' still serves traffic (weight " + w
                                + " in the routing set by " + source + "): shift traffic away from it before retiring it");
                    }
                }
            }
        }

        private void record(List<Route> routes) {
            for (Route r : routes) {
                if (r.serving()) {
                    serving.put(r.target().id(), r.weight());
                }
            }
        }
    }
}
