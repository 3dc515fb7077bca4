package dev.zdd.core.guard;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tables the guard applies: the committed table with some targets taken out. An ejected target's route becomes
 * DISABLED and its weight goes to the remaining serving targets of the same version (evenly), so each version keeps
 * its share of traffic; stickiness and rules are kept. Pure functions; thread-safe.
 */
final class GuardTables {
    private GuardTables() {
    }

    /** {@code base} with every serving target of {@code ejected} taken out. */
    static Routing without(Routing base, Set<String> ejected) {
        Map<String, Integer> freed = new HashMap<>();
        Map<String, Integer> remaining = new HashMap<>();
        for (Route r : base.routes()) {
            if (!r.serving()) {
                continue;
            }
            String v = r.target().version();
            if (ejected.contains(r.target().id())) {
                freed.merge(v, r.weight(), Integer::sum);
            } else {
                remaining.merge(v, 1, Integer::sum);
            }
        }
        Map<String, Integer> handedOut = new HashMap<>();
        List<Route> out = new ArrayList<>(base.routes().size());
        for (Route r : base.routes()) {
            Target t = r.target();
            if (!r.serving()) {
                out.add(r.withHealth(null));
            } else if (ejected.contains(t.id())) {
                out.add(Route.disabled(t));
            } else {
                String v = t.version();
                int extra = freed.getOrDefault(v, 0);
                int n = remaining.get(v);
                int k = handedOut.merge(v, 1, Integer::sum) - 1;
                int share = extra / n + (k < extra % n ? 1 : 0);
                out.add(Route.active(t, Math.min(Routing.MAX_WEIGHT, r.weight() + share)));
            }
        }
        return new Routing(out, base.stickiness(), base.rules());
    }

    /** {@code true} when {@code t} is the last serving target of its version in {@code base} once {@code ejected} are out. */
    static boolean lastOfVersion(Routing base, Set<String> ejected, Target t) {
        for (Route r : base.routes()) {
            if (r.serving() && r.target().version().equals(t.version()) && !r.target().id().equals(t.id())
                    && !ejected.contains(r.target().id())) {
                return false;
            }
        }
        return true;
    }

    /** The table without the balancer's health observations. */
    static Routing intent(Routing r) {
        List<Route> routes = new ArrayList<>(r.routes().size());
        for (Route x : r.routes()) {
            routes.add(x.withHealth(null));
        }
        return new Routing(routes, r.stickiness(), r.rules());
    }
}
