package dev.zdd.core.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a lock file of {@link FileDeploymentLock} says: the holder (absent once released), the fencing token of the
 * last grant, and when the holder last renewed its lease for how long. Immutable; thread-safe. Package-private.
 *
 * @param owner     the holder, or {@code null} when released
 * @param token     fencing token of the last grant (0 when none yet)
 * @param renewedAt when the holder last renewed (its wall clock), or {@code null} when released
 * @param ttl       how long a renewal is valid, or {@code null} when released
 */
record LockFileRecord(LockOwner owner, long token, Instant renewedAt, Duration ttl) {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final LockFileRecord EMPTY = new LockFileRecord(null, 0, null, null);

    /** Whether a holder's lease is past its expiry at {@code now} (never for a released record). */
    boolean expired(Instant now) {
        return owner != null && renewedAt != null && ttl != null && renewedAt.plus(ttl).isBefore(now);
    }

    byte[] encode() {
        ObjectNode o = MAPPER.createObjectNode();
        if (owner != null) {
            o.put("deploymentId", owner.deploymentId()).put("pid", owner.pid()).put("host", owner.host())
                    .put("since", owner.since().toString());
        }
        o.put("token", token);
        if (renewedAt != null) {
            o.put("renewedAt", renewedAt.toString()).put("ttlMillis", ttl.toMillis());
        }
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a lock record", e);
        }
    }

    /** The record in a lock file; empty when the file is empty or being written (never an error). */
    static Optional<LockFileRecord> parse(String text) {
        if (text.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode o = MAPPER.readTree(text);
            long token = o.path("token").asLong(0);
            LockOwner owner = null;
            if (o.hasNonNull("deploymentId")) {
                owner = new LockOwner(o.path("deploymentId").asText(null), o.path("pid").asLong(0),
                        o.path("host").asText(null), Instant.parse(o.path("since").asText("")));
            }
            Instant renewed = o.hasNonNull("renewedAt") ? Instant.parse(o.path("renewedAt").asText()) : null;
            Duration ttl = o.hasNonNull("ttlMillis") ? Duration.ofMillis(o.path("ttlMillis").asLong()) : null;
            return Optional.of(new LockFileRecord(owner, token, renewed, ttl));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static String text(byte[] bytes, int length) {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
