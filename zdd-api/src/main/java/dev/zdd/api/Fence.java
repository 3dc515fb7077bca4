package dev.zdd.api;

/**
 * The fencing token of the deployment making a call, and a check that its lease is still current. The engine passes
 * one to {@link TrafficRouter#apply(Routing, Fence)}: a router that can keep a number next to its state (a database
 * row, a key-value store, a file) should refuse a token lower than the highest it has seen, so that a deployer that
 * lost its lease while paused (a stopped process, a long GC) cannot overwrite the routing of the one that took over.
 *
 * <p>Implementations are thread-safe.
 */
public interface Fence {
    /** A fence for deployments without a lease: token 0, {@link #check()} never throws. */
    Fence NONE = new Fence() {
        @Override
        public long token() {
            return 0;
        }

        @Override
        public void check() {
        }

        @Override
        public String toString() {
            return "Fence.NONE";
        }
    };

    /** The fencing token of the deployment's lease: higher for every later grant of the same service; 0 without. */
    long token();

    /**
     * Checks that the lease is still current (renewed in time, not taken over).
     *
     * @throws FencedOutException when it is not; the message names the new holder when known
     */
    void check();
}
