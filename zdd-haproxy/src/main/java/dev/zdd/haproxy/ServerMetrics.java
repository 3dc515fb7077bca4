package dev.zdd.haproxy;

/**
 * Counters of one HAProxy server from {@code show stat}, the raw material of canary checks (error rate, latency).
 * Counters are totals since HAProxy started; {@link #minus(ServerMetrics)} gives the activity of a window.
 *
 * <p>Immutable value; thread-safe.
 *
 * @param backend   the backend
 * @param server    the server name
 * @param requests  HTTP requests sent to the server (req_tot, or sessions when HAProxy leaves it empty)
 * @param errors5xx responses with a 5xx status (hrsp_5xx)
 * @param rtimeMs   average response time over the last 1024 requests, ms (not a counter; kept as read)
 * @param ttimeMs   average total time over the last 1024 requests, ms (not a counter; kept as read)
 * @param sessions  current sessions (scur; not a counter; kept as read)
 */
public record ServerMetrics(String backend, String server, long requests, long errors5xx, long rtimeMs, long ttimeMs,
                            long sessions) {
    /** Share of requests answered 5xx, 0.0 when there were none. */
    public double errorRate() {
        return requests == 0 ? 0.0 : (double) errors5xx / requests;
    }

    /**
     * The activity since {@code earlier} (a reading of the same server): request and 5xx counts subtracted, averages
     * and sessions as now. A counter that went down (HAProxy restarted) counts from 0.
     */
    public ServerMetrics minus(ServerMetrics earlier) {
        if (earlier == null) {
            return this;
        }
        if (!backend.equals(earlier.backend) || !server.equals(earlier.server)) {
            throw new IllegalArgumentException("cannot subtract metrics of " + earlier.backend + "/" + earlier.server
                    + " from " + backend + "/" + server);
        }
        boolean reset = requests < earlier.requests || errors5xx < earlier.errors5xx;
        return new ServerMetrics(backend, server, reset ? requests : requests - earlier.requests,
                reset ? errors5xx : errors5xx - earlier.errors5xx, rtimeMs, ttimeMs, sessions);
    }
}
