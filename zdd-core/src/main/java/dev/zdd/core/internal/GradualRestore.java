package dev.zdd.core.internal;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The intermediate tables of a gradual rollback: from the routing the deployment served when it failed to the routing
 * read before it, traffic moves back in equal shares. Pure; thread-safe. Internal.
 */
final class GradualRestore {
    private GradualRestore() {
    }

    /**
     * {@code steps - 1} tables between {@code from} and {@code to}: in table k (1-based), targets serving in
     * {@code to} carry k/steps of the traffic (split as in {@code to}) and targets serving only in {@code from} the
     * rest (split as in {@code from}); other routes are as in {@code to} (or {@code from} for targets {@code to} does
     * not list). Stickiness and rules of {@code to}. Empty when {@code from} sends nothing outside what {@code to}
     * serves (nothing to step back from).
     */
    static List<Routing> between(Routing from, Routing to, int steps) {
        if (from == null || to.servingWeight() == 0 || from.servingWeight() == 0) {
            return List.of();
        }
        boolean newShare = false;
        for (Route r : from.routes()) {
            if (r.serving() && !to.route(r.target().id()).map(Route::serving).orElse(false)) {
                newShare = true;
            }
        }
        if (!newShare) {
            return List.of();
        }
        List<Routing> out = new ArrayList<>();
        for (int k = 1; k < steps; k++) {
            double back = (double) k / steps;
            Map<String, Route> routes = new LinkedHashMap<>();
            Map<String, Double> weight = new LinkedHashMap<>();
            for (Route r : to.routes()) {
                routes.put(r.target().id(), r);
                if (r.serving()) {
                    weight.merge(r.target().id(), back * r.weight() / to.servingWeight(), Double::sum);
                }
            }
            for (Route r : from.routes()) {
                String id = r.target().id();
                if (r.serving() && !weight.containsKey(id)) {
                    routes.putIfAbsent(id, r);
                    weight.merge(id, (1 - back) * r.weight() / from.servingWeight(), Double::sum);
                } else {
                    routes.putIfAbsent(id, r);
                }
            }
            List<Route> table = new ArrayList<>();
            for (Map.Entry<String, Route> e : routes.entrySet()) {
                Double w = weight.get(e.getKey());
                Route r = e.getValue();
                table.add(w == null ? r.withHealth(null)
                        : Route.active(r.target(), Math.max(1, (int) Math.round(w * Routing.MAX_WEIGHT))));
            }
            out.add(new Routing(table, to.stickiness(), to.rules()));
        }
        return out;
    }
}
