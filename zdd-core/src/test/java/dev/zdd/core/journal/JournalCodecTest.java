package dev.zdd.core.journal;

import dev.zdd.api.DeploymentStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalCodecTest {
    /** Bad inputs tried by this class (reported in docs/reliability.md). */
    static int badInputs;

    @Test
    void everyStepKindAndRoutingFeatureSurvivesTheRoundTrip() {
        JournalRecord r = JournalFixtures.record();
        JournalRecord back = JournalCodec.decode(JournalCodec.encode(r), "mem");
        assertEquals(r, back);
        assertEquals(11, back.plan().steps().size());
        assertEquals(DeploymentStatus.ROLLING_BACK, back.status());
        assertEquals(9, back.sequence());
        assertEquals(List.of(JournalFixtures.NEW1), back.launchedNotRetired());
        assertTrue(back.summary().contains("interrupted in step 3/11 (shift traffic [canary 10%]"), back.summary());
        // a record with nothing applied yet keeps the null
        JournalRecord first = JournalRecord.start("d", r.spec(), r.plan(), r.routingBefore(), JournalFixtures.T0);
        assertNull(JournalCodec.decode(JournalCodec.encode(first), "mem").routingApplied());
    }

    @Test
    void theFileIsAHeaderWithLengthAndChecksumThenReadableJson() {
        String text = new String(JournalCodec.encode(JournalFixtures.record()), StandardCharsets.UTF_8);
        String header = text.substring(0, text.indexOf('\n'));
        assertTrue(header.matches("zdd-journal 1 \\d+ [0-9a-f]{64}"), header);
        assertTrue(text.contains("\"type\" : \"shiftTraffic\""), text);
        assertTrue(text.contains("\"type\" : \"pointOfNoReturn\""), text);
    }

    @Test
    void everyTruncationIsDetectedNeverHalfRead() {
        byte[] good = JournalCodec.encode(JournalFixtures.record());
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> JournalCodec.decode(cut, "/j/web.journal"),
                    "truncated to " + n + " bytes");
            assertEquals("/j/web.journal", e.source());
            assertTrue(e.getMessage().startsWith("journal /j/web.journal is corrupt: "), e.getMessage());
            badInputs++;
        }
    }

    @Test
    void everyFlippedByteIsDetected() {
        byte[] good = JournalCodec.encode(JournalFixtures.record());
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            int at = i;
            assertThrows(JournalCorruptException.class, () -> JournalCodec.decode(bad, "f"), "flipped byte " + at);
            badInputs++;
        }
    }

    @Test
    void trailingBytesGarbageAndOtherFormatsAreRejectedWithAReason() {
        byte[] good = JournalCodec.encode(JournalFixtures.record());
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertTrue(message(longer).contains("trailing bytes"));
        assertTrue(message("".getBytes(StandardCharsets.UTF_8)).contains("empty"));
        assertTrue(message("{\"deploymentId\":\"x\"}".getBytes(StandardCharsets.UTF_8)).contains("no header line"));
        assertTrue(message("zdd-journal 2 3 abc\n{}\n".getBytes(StandardCharsets.UTF_8)).contains("unknown format version '2'"));
        assertTrue(message("zdd-journal 1 x abc\n{}".getBytes(StandardCharsets.UTF_8)).contains("bad length"));
        assertTrue(message("something else entirely\n".getBytes(StandardCharsets.UTF_8)).contains("not a zdd journal"));
        badInputs += 6;
    }

    @Test
    void aValidChecksumOverInvalidContentIsStillRejected() throws Exception {
        String[] bodies = {
                "{}",
                "[1,2]",
                "not json",
                new String(JournalCodec.encode(JournalFixtures.record()), StandardCharsets.UTF_8).split("\n", 2)[1]
                        .replace("\"shiftTraffic\"", "\"teleport\""),
                new String(JournalCodec.encode(JournalFixtures.record()), StandardCharsets.UTF_8).split("\n", 2)[1]
                        .replace("\"ROLLING_BACK\"", "\"SIDEWAYS\""),
                new String(JournalCodec.encode(JournalFixtures.record()), StandardCharsets.UTF_8).split("\n", 2)[1]
                        .replace("\"port\" : 8080", "\"port\" : 70000"),
                new String(JournalCodec.encode(JournalFixtures.record()), StandardCharsets.UTF_8).split("\n", 2)[1]
                        .replace("\"old-1\"", "\"old;1\""),
                new String(JournalCodec.encode(JournalFixtures.record()), StandardCharsets.UTF_8).split("\n", 2)[1]
                        .replace("\"completedSteps\" : 2", "\"completedSteps\" : 99"),
                new String(JournalCodec.encode(JournalFixtures.record()), StandardCharsets.UTF_8).split("\n", 2)[1]
                        .replace("\"duration\" : \"PT5M\"", "\"duration\" : \"five minutes\""),
        };
        for (String body : bodies) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
            byte[] file = ("zdd-journal 1 " + b.length + " " + digest + "\n" + body).getBytes(StandardCharsets.UTF_8);
            String m = message(file);
            assertTrue(m.contains("checksum matches but the content is invalid"), m);
            assertFalse(m.contains("\n"), "one line: " + m);
            badInputs++;
        }
    }

    @Test
    void routingJsonRoundTripsAndRejectsGarbage() {
        assertEquals(JournalFixtures.before(), JournalCodec.routingFromJson(JournalCodec.routingToJson(JournalFixtures.before())));
        assertThrows(IllegalArgumentException.class, () -> JournalCodec.routingFromJson("{\"routes\": 3}"));
        assertThrows(IllegalArgumentException.class, () -> JournalCodec.routingFromJson("{"));
        badInputs += 2;
    }

    private static String message(byte[] bytes) {
        return assertThrows(JournalCorruptException.class, () -> JournalCodec.decode(bytes, "f")).getMessage();
    }
}
