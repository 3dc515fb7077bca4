package dev.zdd.core.sim;

import dev.zdd.api.DeploymentResult;
import dev.zdd.api.Plan;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The promises of issue 10, checked against the {@link World}'s truth after a run. Routings are compared by target id
 * (a target relaunched by a rollback comes back on a new endpoint), and "running" means that very instance (same
 * endpoint) runs. Stateless.
 */
final class Invariants {
    private Invariants() {
    }

    /** The checks for a run that reached a terminal status with result {@code r}. */
    static List<String> terminal(World w, Routing before, Plan plan, DeploymentResult r) {
        List<String> v = new ArrayList<>();
        Routing now = w.table();
        switch (r.status()) {
            case SUCCEEDED -> {
                Routing planned = finalRouting(plan, before);
                if (planned != null && !sameById(now, planned)) {
                    v.add("SUCCEEDED but the router serves " + now + ", not the plan's final routing "
                            + World.routesById(planned));
                }
                v.addAll(routedButNotRunning(w, now, "SUCCEEDED"));
                if (!r.leftovers().isEmpty()) {
                    v.add("SUCCEEDED with leftovers " + r.leftovers());
                }
                for (Target t : r.retired()) {
                    if (w.isRunning(t) && !w.preexisting().contains(t.id())) {
                        v.add("SUCCEEDED says " + t.id() + " was retired but it still runs");
                    }
                }
            }
            case ROLLED_BACK -> {
                if (!sameById(now, before)) {
                    v.add("ROLLED_BACK but the router serves " + now + ", not as before: " + before);
                }
                v.addAll(routedButNotRunning(w, now, "ROLLED_BACK"));
                for (String id : w.launchedNew()) {
                    if (w.running().containsKey(id)) {
                        v.add("ROLLED_BACK but " + id + ", launched by this deployment, still runs (not reported)");
                    }
                }
                if (!r.leftovers().isEmpty()) {
                    v.add("ROLLED_BACK with leftovers " + r.leftovers() + " (must then be FAILED)");
                }
            }
            case FAILED -> {
                if (!sameById(now, before) && r.leftovers().stream().noneMatch(Invariants::aboutRouting)) {
                    v.add("FAILED, the router serves " + now + " (before: " + before + ") but no leftover names the"
                            + " routing: " + r.leftovers());
                }
                for (String id : w.launchedNew()) {
                    if (w.running().containsKey(id) && !named(r.leftovers(), id)) {
                        v.add("FAILED, " + id + " (launched) still runs but no leftover names it: " + r.leftovers());
                    }
                }
                for (Route route : now.routes()) {
                    if (route.serving() && !w.isRunning(route.target()) && !named(r.leftovers(), route.target().id())) {
                        v.add("FAILED, traffic goes to " + route.target().id() + " which is not running, and no"
                                + " leftover names it: " + r.leftovers());
                    }
                }
                for (Route route : before.routes()) {
                    String id = route.target().id();
                    if (route.serving() && !w.running().containsKey(id) && !named(r.leftovers(), id)) {
                        v.add("FAILED, " + id + " served before and is no longer running, and no leftover names it: "
                                + r.leftovers());
                    }
                }
            }
            default -> v.add("terminal check on non-terminal status " + r.status());
        }
        if (r.steps().isEmpty() && r.launched().isEmpty() && (w.applies() > 0 || w.launches() > 0 || w.retires() > 0)) {
            v.add("the result says nothing was done (no steps), but the router was applied " + w.applies()
                    + " times, " + w.launches() + " instances launched, " + w.retires() + " retired");
        }
        for (String t : w.staleCalls()) {
            v.add("no router apply, launcher call or journal write from a stale lease: " + t);
        }
        for (String t : w.touchedAfterEnd()) {
            v.add("after completion() completed, the engine still called " + t);
        }
        return v;
    }

    /** Routes with traffic or ACTIVE whose instance does not run. */
    private static List<String> routedButNotRunning(World w, Routing now, String status) {
        List<String> v = new ArrayList<>();
        for (Route route : now.routes()) {
            if ((route.serving() || route.state() == RouteState.ACTIVE) && !w.isRunning(route.target())) {
                v.add(status + " but the router sends " + (route.serving() ? "traffic (weight " + route.weight() + ")"
                        : "an ACTIVE route") + " to " + route.target().id() + " @" + route.target().endpoint()
                        + ", which is not running");
            }
        }
        return v;
    }

    /** The routing of the plan's last traffic shift, by id, or {@code before} when it shifts none. */
    static Routing finalRouting(Plan plan, Routing before) {
        if (plan == null) {
            return null;
        }
        Step.ShiftTraffic last = null;
        for (Step s : plan.steps()) {
            if (s instanceof Step.ShiftTraffic st) {
                last = st;
            }
        }
        if (last == null) {
            return before;
        }
        List<Route> routes = new ArrayList<>();
        for (Step.Allocation a : last.allocations()) {
            routes.add(new Route(Target.of(a.targetId(), "any", "planned.invalid", 1), a.weight(), a.state()));
        }
        return new Routing(routes, last.stickiness(), last.rules());
    }

    /** Same traffic by target id: same ids, states, shares of serving targets, stickiness and rules. */
    static boolean sameById(Routing a, Routing b) {
        if (a.routes().size() != b.routes().size() || !Objects.equals(a.stickiness(), b.stickiness())
                || !a.rules().equals(b.rules())) {
            return false;
        }
        Map<String, Route> theirs = new HashMap<>();
        b.routes().forEach(r -> theirs.put(r.target().id(), r));
        double ta = a.servingWeight();
        double tb = b.servingWeight();
        for (Route r : a.routes()) {
            Route x = theirs.get(r.target().id());
            if (x == null || r.serving() != x.serving() || (!r.serving() && r.state() != x.state())) {
                return false;
            }
            if (r.serving() && Math.abs(r.weight() / ta - x.weight() / tb) > 0.005) {
                return false;
            }
        }
        return true;
    }

    private static boolean aboutRouting(String leftover) {
        String l = leftover.toLowerCase(java.util.Locale.ROOT);
        return l.contains("rout") || l.contains("traffic");
    }

    static boolean named(List<String> leftovers, String id) {
        Pattern p = Pattern.compile("(?<![\\w.-])" + Pattern.quote(id) + "(?![\\w-])");
        return leftovers.stream().anyMatch(l -> p.matcher(l).find());
    }
}
