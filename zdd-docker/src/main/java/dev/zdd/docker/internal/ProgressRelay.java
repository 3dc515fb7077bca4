package dev.zdd.docker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zdd.api.Arguments;
import dev.zdd.docker.PullListener;
import dev.zdd.docker.PullProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the JSON lines of a pull or push stream into {@link PullProgress} for a {@link PullListener}: every status
 * change is passed on, byte counts of one layer at most every {@code interval}. A listener that throws is logged once
 * and otherwise ignored. Also remembers the last status and the digest the daemon reported. One per call; not
 * thread-safe (a stream is read by one thread).
 */
public final class ProgressRelay implements Consumer<JsonNode> {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressRelay.class);

    private final String image;
    private final PullListener listener;
    private final long intervalNanos;
    private final Map<String, Last> last = new HashMap<>();
    private boolean listenerFailed;
    private int steps;
    private String lastStatus = "";
    private String digest = "";

    private record Last(String status, long atNanos) {
    }

    /** A relay for one call about {@code image}. */
    public ProgressRelay(String image, PullListener listener, Duration interval) {
        this.image = image;
        this.listener = listener;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void accept(JsonNode n) {
        String status = Arguments.printable(n.path("status").asText(""), 300);
        String layer = Arguments.printable(n.path("id").asText(""), 100);
        JsonNode detail = n.path("progressDetail");
        long current = detail.has("current") ? detail.path("current").asLong(-1) : -1;
        long total = detail.has("total") ? detail.path("total").asLong(-1) : -1;
        JsonNode aux = n.path("aux");
        if (aux.hasNonNull("Digest")) {
            digest = aux.path("Digest").asText("");
        }
        if (status.startsWith("Digest: ")) {
            digest = status.substring("Digest: ".length()).trim();
        }
        if (status.isEmpty()) {
            return;
        }
        lastStatus = status;
        long now = System.nanoTime();
        Last before = last.get(layer);
        if (current >= 0 && before != null && before.status().equals(status) && now - before.atNanos() < intervalNanos) {
            return; // another byte count of the same step, too soon
        }
        last.put(layer, new Last(status, now));
        steps++;
        try {
            listener.onProgress(new PullProgress(image, layer, status, current, total));
        } catch (RuntimeException e) {
            if (!listenerFailed) {
                listenerFailed = true;
                LOG.warn("pull listener {} threw {} for {}; ignored (the pull goes on)", listener.getClass().getName(),
                        e.getClass().getName(), image);
            }
        }
    }

    /** How many steps were passed to the listener. */
    public int steps() {
        return steps;
    }

    /** The daemon's last status line, e.g. {@code Status: Downloaded newer image for ...}. */
    public String lastStatus() {
        return lastStatus;
    }

    /** The image digest the daemon reported, or empty. */
    public String digest() {
        return digest;
    }
}
