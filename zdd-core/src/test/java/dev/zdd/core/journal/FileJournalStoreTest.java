package dev.zdd.core.journal;

import dev.zdd.api.DeploymentStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileJournalStoreTest {
    @TempDir
    Path dir;

    @Test
    void keepsTheLatestRecordPerServiceInOneFileEach() throws Exception {
        FileJournalStore store = FileJournalStore.in(dir.resolve("nested/journals"));
        assertEquals(Optional.empty(), store.read("web"));
        JournalRecord r = JournalFixtures.record();
        store.write(r);
        JournalRecord r2 = r.withStatus(DeploymentStatus.ROLLED_BACK, "done", r.updatedAt().plusSeconds(1));
        store.write(r2);
        assertEquals(r2, store.read("web").orElseThrow());
        assertEquals(Optional.empty(), store.read("api"));
        try (var files = Files.list(store.directory())) {
            assertEquals(java.util.List.of("web.journal", "web.journal.guard"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left behind");
        }
    }

    @Test
    void aDamagedFileIsReportedNamingIt() throws Exception {
        FileJournalStore store = FileJournalStore.in(dir);
        store.write(JournalFixtures.record());
        Path file = store.file("web");
        byte[] good = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(good, good.length / 2));
        JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> store.read("web"));
        assertEquals(file.toString(), e.source());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        // a journal copied under another service's name is not used either
        Files.write(store.file("api"), good);
        assertTrue(assertThrows(JournalCorruptException.class, () -> store.read("api")).getMessage()
                .contains("describes service 'web', not 'api'"));
        JournalCodecTest.badInputs += 2;
    }

    @Test
    void aWriteInterruptedBeforeTheRenameLeavesThePreviousRecordAndIsCleanedUp() throws Exception {
        FileJournalStore store = FileJournalStore.in(dir);
        JournalRecord r = JournalFixtures.record();
        store.write(r);
        // what a crash in the middle of the next write leaves: a partial temporary file
        byte[] next = JournalCodec.encode(r.withStatus(DeploymentStatus.ROLLED_BACK, "", r.updatedAt()));
        Path tmp = dir.resolve(".tmp~web~deadbeef");
        Files.write(tmp, Arrays.copyOf(next, 100));
        assertEquals(r, store.read("web").orElseThrow(), "the partial write is invisible");
        store.write(r.withStatus(DeploymentStatus.FAILED, "x", r.updatedAt()));
        assertFalse(Files.exists(tmp), "leftover removed by the next write");
        assertEquals(DeploymentStatus.FAILED, store.read("web").orElseThrow().status());
    }

    @Test
    void aFailedWriteThrowsNamingTheFileAndKeepsThePreviousRecord() throws Exception {
        FileJournalStore store = FileJournalStore.in(dir);
        JournalRecord r = JournalFixtures.record();
        store.write(r);
        // the journal path becomes a non-empty directory: the rename cannot replace it
        Path file = store.file("web");
        Path saved = dir.resolve("saved");
        Files.move(file, saved);
        Files.createDirectories(file.resolve("x"));
        JournalException e = assertThrows(JournalException.class, () -> store.write(r.withStatus(DeploymentStatus.FAILED, "", r.updatedAt())));
        assertTrue(e.getMessage().contains("cannot write journal " + file), e.getMessage());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".tmp")), "temporary file removed");
        }
    }

    @Test
    void badInputIsRejectedNamingTheValue() throws Exception {
        FileJournalStore store = FileJournalStore.in(dir);
        for (String bad : new String[] {"../x", "a/b", "", ".hidden", "a b", "x\n", "a;b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.read(bad));
            assertTrue(e.getMessage().startsWith("service '"), e.getMessage());
            JournalCodecTest.badInputs++;
        }
        Path aFile = Files.write(dir.resolve("plain"), "x".getBytes(StandardCharsets.UTF_8));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FileJournalStore.in(aFile)).getMessage()
                .contains("is not a directory"));
        assertThrows(IllegalArgumentException.class, () -> FileJournalStore.in(null));
        assertEquals("journal.completedSteps must be in [0, 11], was 12", assertThrows(IllegalArgumentException.class,
                () -> JournalFixtures.record().stepCompleted(11, JournalFixtures.T0)).getMessage());
        JournalCodecTest.badInputs += 3;
    }
}
