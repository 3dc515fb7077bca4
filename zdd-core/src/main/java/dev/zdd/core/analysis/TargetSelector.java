package dev.zdd.core.analysis;

import dev.zdd.api.DeploymentContext;
import dev.zdd.api.Route;
import dev.zdd.api.Target;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which targets of a running deployment an analysis measures: the new version's, the old version's, a baseline
 * launched for comparison, or any filter.
 *
 * <p>Implementations must be thread-safe; the built-in ones are stateless.
 */
@FunctionalInterface
public interface TargetSelector {
    /** The targets to measure now. */
    List<Target> select(DeploymentContext context);

    /** The new version's targets ({@link DeploymentContext#newTargets()}). */
    static TargetSelector newTargets() {
        return DeploymentContext::newTargets;
    }

    /** The targets that served before the deployment ({@link DeploymentContext#oldTargets()}). */
    static TargetSelector oldTargets() {
        return DeploymentContext::oldTargets;
    }

    /** Every known target (routing, new and old; each once) that satisfies {@code filter}. */
    static TargetSelector where(Predicate<Target> filter) {
        if (filter == null) {
            throw new IllegalArgumentException("filter must not be null");
        }
        return ctx -> {
            Map<String, Target> all = new LinkedHashMap<>();
            for (Route r : ctx.routing().routes()) {
                all.putIfAbsent(r.target().id(), r.target());
            }
            ctx.newTargets().forEach(t -> all.putIfAbsent(t.id(), t));
            ctx.oldTargets().forEach(t -> all.putIfAbsent(t.id(), t));
            List<Target> out = new ArrayList<>();
            for (Target t : all.values()) {
                if (filter.test(t)) {
                    out.add(t);
                }
            }
            return out;
        };
    }

    /** Known targets whose attribute {@code key} equals {@code value} (for example {@code role=baseline}). */
    static TargetSelector withAttribute(String key, String value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("attribute key and value must not be null, were " + key + "=" + value);
        }
        return where(t -> value.equals(t.attribute(key)));
    }

    /** Known targets with these ids. */
    static TargetSelector ids(String... ids) {
        Set<String> set = Set.of(ids);
        return where(t -> set.contains(t.id()));
    }

    /** Known targets running {@code version}. */
    static TargetSelector version(String version) {
        if (version == null) {
            throw new IllegalArgumentException("version must not be null");
        }
        return where(t -> t.version().equals(version));
    }
}
