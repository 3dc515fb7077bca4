package dev.zdd.api;

import java.util.Locale;
import java.util.Map;

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
    /**
     * Largest relative error between the share of new requests a table asks for a version and the share a router of
     * this granularity serves once it has scaled and rounded the weights: 20%. A plan step (and an apply) that asks
     * for more precision is refused, naming the router's granularity: a 0.5% canary on a router with {@code maxWeight}
     * 100 would be served as weight 1 next to 100 (0.99%, an error of 98%); a 1% canary on HAProxy (256) is served as
     * 1.16% (16%), accepted.
     */
    public static final double MAX_SHARE_ERROR = 0.20;
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
        Map<String, Double> asked = routing.versionShares();
        Map<String, Double> served = servedShares(routing);
        for (Map.Entry<String, Double> e : asked.entrySet()) {
            double want = e.getValue();
            double got = served.getOrDefault(e.getKey(), 0.0);
            double error = Math.abs(got - want) / want;
            if (error > MAX_SHARE_ERROR) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s cannot serve a share of %.2f%% for"
                                + " version %s within %.0f%%: its granularity is weight 1 of %d (next to the largest"
                                + " weight), so it would serve %.2f%% (relative error %.0f%%); ask for a share it can"
                                + " serve or use a router with a finer weight scale", routerName, want * 100,
                        e.getKey(), MAX_SHARE_ERROR * 100, maxWeight, got * 100, error * 100));
            }
        }
    }

    /**
     * The share of new requests each serving version gets once a router of this granularity has scaled the table (its
     * largest serving weight to {@link #maxWeight}, the others rounded, at least 1), in route order.
     */
    public Map<String, Double> servedShares(Routing routing) {
        return Routing.shares(routing.scaledWeights(maxWeight), routing);
    }
}
