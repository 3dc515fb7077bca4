package dev.zdd.haproxy.internal;

import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Target;
import dev.zdd.haproxy.RoutingMaps;
import dev.zdd.haproxy.internal.CommandPlan.Kind;
import dev.zdd.haproxy.internal.CommandPlan.Setting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a {@link Routing} into what it asks of one HAProxy backend ({@link Desired}): a state and weight per server
 * (weights scaled to HAProxy's 1..256), and the sticky and rules map entries. Pure; thread-safe.
 */
public final class TableMapper {
    private static final Logger LOG = LoggerFactory.getLogger(TableMapper.class);

    private TableMapper() {
    }

    /**
     * What {@code routing} asks of backend {@code backend}.
     *
     * @param serverOf the server name of a target (throws {@link IllegalArgumentException} for one it cannot name)
     * @param others   every other server the router knows (configured, added, foreign): put in maintenance when the
     *                 table does not list them
     */
    public static Desired desire(String backend, Routing routing, RoutingMaps maps, Function<Target, String> serverOf,
                                 Collection<String> others) {
        if (routing.stickiness() != null && !routing.stickiness().key().equals(maps.stickyKey().orElse(null))) {
            throw new IllegalArgumentException("stickiness key " + routing.stickiness().key() + " differs from the "
                    + "configured sticky key " + maps.stickyKey().orElse(null) + " of HAProxy backend '" + backend + "'");
        }
        for (Rule r : routing.rules()) {
            if (!r.key().equals(maps.ruleKey().orElse(null))) {
                throw new IllegalArgumentException("rule key " + r.key() + " differs from the configured rule key "
                        + maps.ruleKey().orElse(null) + " of HAProxy backend '" + backend + "'");
            }
        }
        Map<String, Target> targets = new LinkedHashMap<>();
        List<Route> routes = routing.routes();
        String[] servers = new String[routes.size()];
        int[] weights = new int[routes.size()];
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            servers[i] = serverOf.apply(r.target());
            targets.put(servers[i], r.target());
            weights[i] = r.serving() ? r.weight() : 0;
        }
        int[] scaled = Weights.scale(weights, Weights.HAPROXY_MAX);
        List<Setting> settings = new ArrayList<>();
        List<Weights.Slice> slices = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            Kind kind;
            if (r.serving()) {
                kind = Kind.SERVE;
                slices.add(new Weights.Slice(servers[i], r.target().version(), r.weight()));
            } else if (r.state() == RouteState.ACTIVE) {
                kind = Kind.IDLE;
            } else if (r.state() == RouteState.DRAINING) {
                kind = Kind.DRAIN;
            } else {
                kind = Kind.MAINT;
            }
            settings.add(new Setting(servers[i], kind, scaled[i]));
        }
        for (String s : others) {
            if (!targets.containsKey(s)) {
                settings.add(new Setting(s, Kind.MAINT, 0));
            }
        }
        Map<String, String> sticky = routing.stickiness() == null ? Map.of() : Weights.stickyRanges(slices);
        Map<String, String> rules = new LinkedHashMap<>();
        for (Rule rule : routing.rules()) {
            List<String> candidates = new ArrayList<>();
            List<String> active = new ArrayList<>();
            for (int i = 0; i < routes.size(); i++) {
                Route r = routes.get(i);
                if (r.target().version().equals(rule.version())) {
                    if (r.serving()) {
                        candidates.add(servers[i]);
                    } else if (r.state() == RouteState.ACTIVE) {
                        active.add(servers[i]);
                    }
                }
            }
            if (candidates.isEmpty()) {
                // a version with no weighted share (blue-green preview): the rule reaches its ACTIVE weight-0 servers
                candidates = active;
            }
            for (String v : rule.values()) {
                Names.mapWord("rule value", v);
                if (!candidates.isEmpty()) {
                    rules.putIfAbsent(v, candidates.get(Math.floorMod(v.hashCode(), candidates.size())));
                }
            }
            if (candidates.isEmpty()) {
                LOG.info("rule {} -> version {} skipped: no ACTIVE server of that version in HAProxy backend {} "
                        + "(its requests are routed by weights)", rule.key(), rule.version(), backend);
            }
        }
        return new Desired(routing, settings, targets, sticky, rules);
    }
}
