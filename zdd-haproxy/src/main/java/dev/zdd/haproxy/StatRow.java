package dev.zdd.haproxy;

import java.util.Map;

/**
 * One line of {@code show stat}: a frontend, backend or server with its counters. The typed fields are the ones zdd
 * uses; {@link #fields()} holds every column by its header name.
 *
 * <p>Immutable value; thread-safe.
 *
 * @param proxy    pxname
 * @param name     svname ({@code FRONTEND}, {@code BACKEND} or a server name)
 * @param status   status ({@code UP}, {@code DOWN}, {@code MAINT}, {@code DRAIN}, {@code no check}, ...)
 * @param scur     current sessions
 * @param stot     total sessions
 * @param requests req_tot, HTTP requests (0 when HAProxy leaves it empty)
 * @param hrsp5xx  HTTP responses with a 5xx status
 * @param rtimeMs  average response time of the last 1024 requests, milliseconds
 * @param ttimeMs  average total session time of the last 1024 requests, milliseconds
 * @param weight   current weight
 * @param fields   every column, by header name (unmodifiable)
 */
public record StatRow(String proxy, String name, String status, long scur, long stot, long requests, long hrsp5xx,
                      long rtimeMs, long ttimeMs, long weight, Map<String, String> fields) {
    /** svname of a frontend's aggregate line. */
    public static final String FRONTEND = "FRONTEND";
    /** svname of a backend's aggregate line. */
    public static final String BACKEND = "BACKEND";

    /** Copies the field map. */
    public StatRow {
        fields = Map.copyOf(fields);
    }

    /** {@code true} for a server line (neither FRONTEND nor BACKEND). */
    public boolean isServer() {
        return !FRONTEND.equals(name) && !BACKEND.equals(name);
    }
}
