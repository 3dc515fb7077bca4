package dev.zdd.api;

/**
 * Sticky percentage split: requests are assigned to versions by a stable hash of a {@link RequestKey}, so the same key
 * always lands on the same version for a given table.
 *
 * <p>Semantics every router must honour: the key's hash picks a point in {@code [0, 1)}; versions take consecutive
 * ranges in the order in which they first appear in {@link Routing#routes()}, each as wide as its share of the serving
 * weight. Because the first-listed version's range only grows as its share grows, a user who reached it never moves
 * back. Strategies list the new version first. Requests without the key fall back to the plain weighted choice.
 *
 * <p>Immutable; thread-safe.
 *
 * @param key what to hash
 */
public record Stickiness(RequestKey key) {
    /** Validates. */
    public Stickiness {
        Checks.notNull("stickiness.key", key);
    }

    /** Sticky on {@code key}. */
    public static Stickiness on(RequestKey key) {
        return new Stickiness(key);
    }
}
