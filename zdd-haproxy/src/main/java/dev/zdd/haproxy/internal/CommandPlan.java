package dev.zdd.haproxy.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Turns desired server settings into the two ordered command batches that move traffic safely: first {@link #raise()}
 * brings incoming servers up (weight first, then {@code ready}, so a server never becomes ready with a stale weight),
 * then {@link #lower()} takes outgoing ones down (state first, then weight 0). State and weight are always set together,
 * so they never disagree; the caller sends {@code lower} only after {@code raise} succeeded, so traffic never finds zero
 * serving servers mid-way. Immutable; thread-safe.
 *
 * @param raise commands for serving servers
 * @param lower commands for idle, draining and disabled servers
 */
public record CommandPlan(List<String> raise, List<String> lower) {
    /** What a server should do. */
    public enum Kind {
        /** ready, weight above 0. */
        SERVE,
        /** ready, weight 0 (known, no share). */
        IDLE,
        /** drain, weight 0. */
        DRAIN,
        /** maint, weight 0. */
        MAINT
    }

    /** One server's desired setting; {@code weight} is on HAProxy's scale and only used for SERVE. */
    public record Setting(String server, Kind kind, int weight) {
    }

    /** Copies. */
    public CommandPlan {
        raise = List.copyOf(raise);
        lower = List.copyOf(lower);
    }

    /** The plan for {@code settings} in backend {@code backend} (names must be validated already). */
    public static CommandPlan of(String backend, List<Setting> settings) {
        List<String> raise = new ArrayList<>();
        List<String> lower = new ArrayList<>();
        for (Setting s : settings) {
            String p = "set server " + backend + "/" + s.server();
            switch (s.kind()) {
                case SERVE -> {
                    if (s.weight() < 1 || s.weight() > Weights.HAPROXY_MAX) {
                        throw new IllegalArgumentException("weight of serving server " + s.server() + " must be in [1, "
                                + Weights.HAPROXY_MAX + "], was " + s.weight());
                    }
                    raise.add(p + " weight " + s.weight());
                    raise.add(p + " state ready");
                }
                case IDLE -> {
                    lower.add(p + " weight 0");
                    lower.add(p + " state ready");
                }
                case DRAIN -> {
                    lower.add(p + " state drain");
                    lower.add(p + " weight 0");
                }
                case MAINT -> {
                    lower.add(p + " state maint");
                    lower.add(p + " weight 0");
                }
                default -> throw new IllegalStateException("unknown kind " + s.kind());
            }
        }
        return new CommandPlan(Collections.unmodifiableList(raise), Collections.unmodifiableList(lower));
    }
}
