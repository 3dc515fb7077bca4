package dev.zdd.core.probe;

import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.HealthStatus;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Combines probes: {@link #all(HealthProbe...)} is healthy when every member is, {@link #any(HealthProbe...)} when one
 * is.
 *
 * <p>Members run one after the other, in order, and short-circuit like {@code &&} and {@code ||}: {@code all} stops at
 * the first UNHEALTHY member, {@code any} at the first HEALTHY one. Each member gets the time left of the attempt's
 * timeout; members that no longer have time count as UNHEALTHY ("not run: timed out"). A member that throws counts as
 * UNHEALTHY with the exception's message. Reasons of the members that decided the answer are joined with {@code "; "}.
 * UNKNOWN members: {@code all} is UNKNOWN when no member is UNHEALTHY but some are UNKNOWN; {@code any} is UNKNOWN when
 * no member is HEALTHY but some are UNKNOWN.
 *
 * <p>Immutable and thread-safe when its members are.
 */
public final class CompositeProbe implements HealthProbe {
    private final boolean all;
    private final List<HealthProbe> members;

    private CompositeProbe(boolean all, HealthProbe[] members) {
        if (members == null || members.length == 0) {
            throw new IllegalArgumentException("compositeProbe.members must not be empty");
        }
        for (int i = 0; i < members.length; i++) {
            if (members[i] == null) {
                throw new IllegalArgumentException("compositeProbe.members[" + i + "] must not be null");
            }
        }
        this.all = all;
        this.members = List.of(members);
    }

    /** Healthy when every member is healthy. */
    public static CompositeProbe all(HealthProbe... members) {
        return new CompositeProbe(true, members);
    }

    /** Healthy when at least one member is healthy. */
    public static CompositeProbe any(HealthProbe... members) {
        return new CompositeProbe(false, members);
    }

    /** The members, in order. */
    public List<HealthProbe> members() {
        return members;
    }

    @Override
    public HealthResult check(Target target, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> unhealthy = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (HealthProbe member : members) {
            long left = deadline - System.nanoTime();
            HealthResult r;
            if (left <= 0) {
                r = HealthResult.unhealthy(member + ": not run: timed out after " + timeout.toMillis() + " ms");
            } else {
                r = run(member, target, Duration.ofNanos(left));
            }
            if (r.status() == HealthStatus.HEALTHY) {
                if (!all) {
                    return HealthResult.healthy();
                }
            } else if (r.status() == HealthStatus.UNHEALTHY) {
                unhealthy.add(r.reason());
                if (all) {
                    break;
                }
            } else {
                unknown.add(r.reason());
            }
        }
        if (all && unhealthy.isEmpty() && unknown.isEmpty()) {
            return HealthResult.healthy();
        }
        if ((all && !unhealthy.isEmpty()) || (!all && unknown.isEmpty())) {
            List<String> reasons = new ArrayList<>(unhealthy);
            if (!all) {
                reasons.addAll(unknown);
            }
            return HealthResult.unhealthy(String.join("; ", reasons));
        }
        List<String> reasons = new ArrayList<>(unknown);
        if (!all) {
            reasons.addAll(unhealthy);
        }
        return HealthResult.unknown(String.join("; ", reasons));
    }

    private static HealthResult run(HealthProbe member, Target target, Duration timeout) {
        try {
            HealthResult r = member.check(target, timeout);
            return r == null ? HealthResult.unhealthy(member + " returned no result") : r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthResult.unhealthy(member + ": interrupted");
        } catch (Exception e) {
            return HealthResult.unhealthy(member + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    @Override
    public String toString() {
        return "CompositeProbe." + (all ? "all" : "any") + members;
    }
}
