package dev.zdd.api;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What to deploy: a version of a service, either onto targets the user already provisioned ({@link #targets()}) or onto
 * {@link #instances()} new ones started by the engine's {@link TargetLauncher}.
 *
 * <p>Immutable; thread-safe. Build with {@link #builder(String, String)}.
 *
 * @param service    service name
 * @param version    version to deploy
 * @param targets    already-running targets of {@code version}; empty when the launcher starts them
 * @param instances  how many to launch when {@code targets} is empty; 0 means "as many as now serve"
 * @param attributes attributes for launched targets
 */
public record DeploymentSpec(String service, String version, List<Target> targets, int instances, Map<String, String> attributes) {
    /** Validates and copies; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public DeploymentSpec {
        Checks.name("spec.service", service);
        Checks.name("spec.version", version);
        Checks.noNulls("spec.targets", targets);
        Set<String> ids = new HashSet<>();
        for (Target t : targets) {
            if (!ids.add(t.id())) {
                throw new IllegalArgumentException("spec.targets has duplicate id '" + t.id() + "'");
            }
            if (!t.version().equals(version)) {
                throw new IllegalArgumentException("spec.targets: target '" + t.id() + "' runs version '" + t.version()
                        + "', not spec.version '" + version + "'");
            }
        }
        Checks.range("spec.instances", instances, 0, 100_000);
        Checks.notNull("spec.attributes", attributes);
        targets = List.copyOf(targets);
        attributes = java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
    }

    /** A builder for {@code version} of {@code service}. */
    public static Builder builder(String service, String version) {
        return new Builder(service, version);
    }

    /** Builds a {@link DeploymentSpec}. Not thread-safe. */
    public static final class Builder {
        private final String service;
        private final String version;
        private List<Target> targets = List.of();
        private int instances;
        private Map<String, String> attributes = Map.of();

        private Builder(String service, String version) {
            this.service = service;
            this.version = version;
        }

        /** Already-running targets of the version. Default: none (the launcher starts them). */
        public Builder targets(List<Target> v) {
            targets = Checks.notNull("spec.targets", v);
            return this;
        }

        /** Already-running targets of the version. */
        public Builder targets(Target... v) {
            return targets(List.of(v));
        }

        /** How many to launch; 0 (default) means as many as now serve. */
        public Builder instances(int v) {
            instances = v;
            return this;
        }

        /** Attributes for launched targets. Default: none. */
        public Builder attributes(Map<String, String> v) {
            attributes = Checks.notNull("spec.attributes", v);
            return this;
        }

        /** Builds and validates. */
        public DeploymentSpec build() {
            return new DeploymentSpec(service, version, targets, instances, attributes);
        }
    }
}
