package dev.zdd.api;

/**
 * What a {@link TrafficRouter} can do, so that a strategy or the engine fails fast, at build time, with a clear message
 * when it asks for something the router cannot do.
 *
 * <p>Immutable; thread-safe.
 *
 * @param maxWeight        the router's own weight scale. A router scales a table so that its largest serving weight
 *                         becomes {@code maxWeight} and rounds the others; a serving weight that rounds to 0 cannot be
 *                         expressed (HAProxy 256, in-process {@link Routing#MAX_WEIGHT}; an on/off router such as a
 *                         health-check file has 1, so it can only split evenly).
 * @param drain            supports {@link RouteState#DRAINING} distinct from DISABLED
 * @param stickiness       supports {@link Stickiness}
 * @param rules            supports {@link Rule}s
 * @param connectionCounts implements {@link ConnectionStats} (live connection counts for draining)
 */
public record RouterCapabilities(int maxWeight, boolean drain, boolean stickiness, boolean rules, boolean connectionCounts) {
    /** A router that can only do weights (the default of {@link TrafficRouter#capabilities()}). */
    public static final RouterCapabilities WEIGHTS_ONLY = new RouterCapabilities(Routing.MAX_WEIGHT, false, false, false, false);

    /** Validates. */
    public RouterCapabilities {
        Checks.range("capabilities.maxWeight", maxWeight, 1, Routing.MAX_WEIGHT);
    }

    /**
     * Throws {@link IllegalArgumentException} naming the first feature of {@code routing} that these capabilities lack.
     *
     * @param routerName used in the message
     */
    public void check(String routerName, Routing routing) {
        if (routing.stickiness() != null && !stickiness) {
            throw new IllegalArgumentException(routerName + " does not support stickiness (requested " + routing.stickiness().key() + ")");
        }
        if (!routing.rules().isEmpty() && !rules) {
            throw new IllegalArgumentException(routerName + " does not support routing rules (requested " + routing.rules().size() + ")");
        }
        int max = 0;
        for (Route r : routing.routes()) {
            if (r.serving()) {
                max = Math.max(max, r.weight());
            }
        }
        for (Route r : routing.routes()) {
            if (r.serving() && Math.round((double) r.weight() * maxWeight / max) == 0) {
                throw new IllegalArgumentException(routerName + " cannot express weight " + r.weight() + " of "
                        + r.target().id() + " next to weight " + max + ": its weights go from 1 to " + maxWeight);
            }
        }
    }
}
