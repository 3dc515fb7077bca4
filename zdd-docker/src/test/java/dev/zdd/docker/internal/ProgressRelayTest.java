package dev.zdd.docker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zdd.docker.PullProgress;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pull progress lines to listener calls: status changes always, byte counts throttled, listener failures contained. */
class ProgressRelayTest {
    private static JsonNode json(String s) throws Exception {
        return DockerHttp.JSON.readTree(s);
    }

    @Test
    void statusChangesPassByteCountsAreThrottledAndTheDigestIsKept() throws Exception {
        List<PullProgress> seen = new ArrayList<>();
        ProgressRelay r = new ProgressRelay("reg:5000/shop:1", seen::add, Duration.ofHours(1));
        r.accept(json("{\"status\":\"Pulling from shop\",\"id\":\"1\"}"));
        r.accept(json("{\"status\":\"Downloading\",\"progressDetail\":{\"current\":10,\"total\":100},\"id\":\"abc\"}"));
        r.accept(json("{\"status\":\"Downloading\",\"progressDetail\":{\"current\":50,\"total\":100},\"id\":\"abc\"}"));
        r.accept(json("{\"status\":\"Downloading\",\"progressDetail\":{\"current\":5,\"total\":100},\"id\":\"def\"}"));
        r.accept(json("{\"status\":\"Download complete\",\"progressDetail\":{},\"id\":\"abc\"}"));
        r.accept(json("{\"status\":\"Digest: sha256:0123\"}"));
        r.accept(json("{\"progressDetail\":{},\"aux\":{\"Digest\":\"sha256:4567\"}}"));
        assertEquals(5, seen.size(), seen.toString());
        assertEquals(new PullProgress("reg:5000/shop:1", "abc", "Downloading", 10, 100), seen.get(1));
        assertEquals("def", seen.get(2).layer());
        assertEquals("Download complete", seen.get(3).status());
        assertTrue(!seen.get(3).hasBytes());
        assertEquals("sha256:4567", r.digest());
        assertEquals("Digest: sha256:0123", r.lastStatus());
        assertEquals(5, r.steps());
    }

    @Test
    void aThrowingListenerIsContained() throws Exception {
        int[] calls = {0};
        ProgressRelay r = new ProgressRelay("shop:1", p -> {
            calls[0]++;
            throw new IllegalStateException("boom");
        }, Duration.ZERO);
        r.accept(json("{\"status\":\"a\"}"));
        r.accept(json("{\"status\":\"b\"}"));
        assertEquals(2, calls[0]);
    }
}
