package dev.zdd.core.lease;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.Step;
import dev.zdd.api.Strategy;
import dev.zdd.core.Engine;
import dev.zdd.core.crash.ReliabilityFixture;
import dev.zdd.core.journal.FileJournalStore;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.lock.FileDeploymentLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leases in the engine, in virtual time: renewal through the scheduler while a deployment runs (at a gate too), the
 * fencing token passed to every apply and written into every journal record, and a deployment that loses its lease
 * (taken over, or not renewable in time) touching nothing more.
 */
class EngineLeaseTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** replaceAll with a manual gate of an hour after the shift: the deployment sits there holding the lease. */
    private static Strategy gatedAfterShift() {
        return ctx -> {
            Plan p = ReliabilityFixture.replaceAll().plan(ctx);
            List<Step> steps = new ArrayList<>(p.steps());
            steps.add(3, new Step.Gate("bake", Duration.ofHours(1)));
            return new Plan(p.strategy(), steps);
        };
    }

    @Test
    void theLeaseIsRenewedThroughTheSchedulerAtAGateAndEveryApplyAndRecordCarriesItsToken() {
        ReliabilityFixture f = new ReliabilityFixture();
        ScriptedLock lock = new ScriptedLock(TTL);
        TokenRouter router = new TokenRouter(f.router);
        Engine engine = f.builder().router(router).lock(lock).journal(f.journal).build();
        Deployment d = engine.start(f.spec, gatedAfterShift());
        f.time.advance(Duration.ofMinutes(30));
        assertEquals(DeploymentStatus.RUNNING, d.status());
        int renewals = lock.renewals.get();
        // every fifth of the ttl: 30 min / 2 s = 900 renewals
        assertTrue(renewals >= 890 && renewals <= 901, "renewals at the gate: " + renewals);
        assertTrue(d.promote().toCompletableFuture().join().accepted());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertTrue(router.untokened.isEmpty(), "the engine always passes the fence");
        assertEquals(List.of(7L), router.tokens.stream().distinct().toList());
        assertTrue(f.journal.writes().stream().allMatch(w -> w.fencingToken() == 7), "every record carries token 7");
        f.time.advance(Duration.ofMinutes(5));
        int after = lock.renewals.get();
        f.time.advance(Duration.ofMinutes(5));
        assertEquals(after, lock.renewals.get(), "no renewal after the end");
    }

    @Test
    void aDeploymentWhoseLeaseIsTakenOverTouchesNothingMoreAndNamesTheNewHolder() {
        ReliabilityFixture f = new ReliabilityFixture();
        ScriptedLock lock = new ScriptedLock(TTL);
        TokenRouter router = new TokenRouter(f.router);
        Engine engine = f.builder().router(router).lock(lock).journal(f.journal).build();
        Deployment d = engine.start(f.spec, gatedAfterShift());
        f.time.advance(Duration.ofMinutes(1));
        assertEquals(DeploymentStatus.RUNNING, d.status());
        int applies = router.tokens.size();
        int writes = f.journal.calls();
        int launcherCalls = f.launcher.retired().size() + f.launcher.launches().size();
        lock.next = ScriptedLock.Renewal.TAKEN_OVER;
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.FAILED, r.status());
        assertTrue(r.reason().startsWith("lost its lease: ") && r.reason().contains("usurper-1"), r.reason());
        assertTrue(r.leftovers().stream().anyMatch(l -> l.contains("when it lost its lease")), r.leftovers().toString());
        assertEquals(applies, router.tokens.size(), "no router apply after the loss (no rollback either)");
        assertEquals(writes, f.journal.calls(), "no journal write after the loss");
        assertEquals(launcherCalls, f.launcher.retired().size() + f.launcher.launches().size(), "no launcher call after the loss");
        assertEquals(DeploymentStatus.RUNNING, f.journal.read("shop").orElseThrow().status(),
                "the journal still shows it interrupted: the new holder recovers it");
    }

    @Test
    void whenRenewalsFailTheDeploymentStopsBeforeTheLeaseCanHaveExpiredElsewhere() {
        ReliabilityFixture f = new ReliabilityFixture();
        ScriptedLock lock = new ScriptedLock(TTL);
        TokenRouter router = new TokenRouter(f.router);
        Engine engine = f.builder().router(router).lock(lock).journal(f.journal).build();
        Deployment d = engine.start(f.spec, gatedAfterShift());
        f.time.advance(Duration.ofMinutes(1));
        int applies = router.tokens.size();
        lock.next = ScriptedLock.Renewal.UNREACHABLE;
        long from = f.time.clock().nanoTime();
        f.time.runUntil(() -> d.status().isTerminal(), Duration.ofMinutes(5));
        long took = f.time.clock().nanoTime() - from;
        DeploymentResult r = d.result().orElseThrow();
        assertEquals(DeploymentStatus.FAILED, r.status());
        assertTrue(r.reason().contains("was not renewed in time") && r.reason().contains("connection refused"), r.reason());
        assertTrue(took < TTL.toNanos(), "stopped " + Duration.ofNanos(took) + " after the last renewal, within the ttl");
        assertEquals(applies, router.tokens.size());
    }

    @Test
    void aRecoveredDeploymentWritesWithItsNewTokenAndTheStaleWriterIsRefusedByTheFileJournal() {
        ReliabilityFixture f = new ReliabilityFixture();
        FileJournalStore journal = FileJournalStore.in(dir.resolve("journal"));
        FileDeploymentLock lock = FileDeploymentLock.builder().directory(dir.resolve("locks")).ttl(TTL).build();
        Engine engine = f.builder().lock(lock).journal(journal).build();
        Deployment d = engine.start(f.spec, gatedAfterShift());
        f.time.advance(Duration.ofMinutes(1));
        JournalRecord seen = journal.read("shop").orElseThrow();
        assertTrue(seen.fencingToken() > 0, "the record carries the file lock's token: " + seen.fencingToken());
        // a writer holding an older token is refused
        dev.zdd.core.journal.StaleTokenException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.zdd.core.journal.StaleTokenException.class,
                () -> journal.write(seen.withFencingToken(seen.fencingToken() - 1)));
        assertTrue(e.getMessage().contains("fencing token " + (seen.fencingToken() - 1)), e.getMessage());
        assertTrue(d.abort("test over").toCompletableFuture().join().accepted());
        assertEquals(DeploymentStatus.ROLLED_BACK, f.finish(d).status());
    }
}
