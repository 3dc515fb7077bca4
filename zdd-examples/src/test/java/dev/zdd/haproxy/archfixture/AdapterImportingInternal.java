package dev.zdd.haproxy.archfixture;

import dev.zdd.core.internal.Durations;

import java.time.Duration;

/**
 * A deliberate breach of the dependency rules, for {@code ArchitectureTest} only: an adapter class that imports
 * zdd-core's {@code internal} package. The rules must fail on it. Test sources only; never on a class path of zdd.
 */
public final class AdapterImportingInternal {
    private AdapterImportingInternal() {
    }

    /** Uses an engine internal. */
    public static long nanos() {
        return Durations.nanos(Duration.ofSeconds(1));
    }
}
