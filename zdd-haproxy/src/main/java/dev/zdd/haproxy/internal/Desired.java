package dev.zdd.haproxy.internal;

import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.haproxy.internal.CommandPlan.Setting;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one routing table asks of one HAProxy backend: a setting per server, the target of each server of the table,
 * and the entries of the sticky and rules maps. Immutable; thread-safe.
 *
 * @param routing  the table
 * @param settings state and weight per server (the table's servers, then every other known server in maintenance)
 * @param targets  server name to target, for the table's servers, in table order
 * @param sticky   sticky map entries (hash range to server)
 * @param rules    rules map entries (value to server)
 */
public record Desired(Routing routing, List<Setting> settings, Map<String, Target> targets,
                      Map<String, String> sticky, Map<String, String> rules) {
    /** Copies. */
    public Desired {
        settings = List.copyOf(settings);
        targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        sticky = Collections.unmodifiableMap(new LinkedHashMap<>(sticky));
        rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }
}
