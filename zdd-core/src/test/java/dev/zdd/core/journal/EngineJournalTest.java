package dev.zdd.core.journal;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.crash.ReliabilityFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine with a journal, in virtual time: what is written, a full disk, recovery from every kind of record. */
class EngineJournalTest {
    /** Journal faults injected by this class (reported in docs/reliability.md). */
    static int faults;

    @Test
    void everyStepRoutingChangeLaunchAndRetirementIsJournaledBeforeItIsReported() {
        ReliabilityFixture f = new ReliabilityFixture();
        List<String> seenAtEvents = new java.util.ArrayList<>();
        Deployment d = f.builder().journal(f.journal).listener(e -> {
            if (e instanceof DeploymentEvent.StepEnded s && s.outcome() == Outcome.SUCCEEDED && s.index() >= 0) {
                seenAtEvents.add(s.index() + "->" + f.journal.read("shop").orElseThrow().completedSteps());
            }
        }).build().start(f.spec, ReliabilityFixture.plan());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        List<JournalRecord> w = f.journal.writes();
        // start, then per step: started, [launched | routing applied | retired x2], completed; then the end
        List<String> trail = w.stream().map(x -> x.completedSteps() + (x.stepRunning() ? "r" : "") + " " + x.status()
                + " l" + x.launched().size() + " t" + x.retired().size() + (x.routingApplied() == null ? "" : " a")).toList();
        assertEquals(List.of("0 RUNNING l0 t0", "0r RUNNING l0 t0", "0r RUNNING l1 t0", "1 RUNNING l1 t0",
                "1r RUNNING l1 t0", "2 RUNNING l1 t0", "2r RUNNING l1 t0", "2r RUNNING l1 t0 a", "3 RUNNING l1 t0 a",
                "3r RUNNING l1 t0 a", "3r RUNNING l1 t0 a", "4 RUNNING l1 t0 a", "4r RUNNING l1 t0 a", "4r RUNNING l1 t1 a",
                "4r RUNNING l1 t2 a", "5 RUNNING l1 t2 a", "5 SUCCEEDED l1 t2 a"), trail);
        for (int i = 1; i < w.size(); i++) {
            assertEquals(w.get(i - 1).sequence() + 1, w.get(i).sequence());
        }
        assertEquals(f.before, w.get(w.size() - 1).routingBefore());
        assertTrue(w.get(7).routingApplied().sameTrafficAs(Routing.of(Route.active(f.launcher.launched().get(0), 5000),
                Route.active(f.old1, 2500), Route.active(f.old2, 2500))));
        // every STEP_SUCCEEDED is emitted after the journal already says the step completed
        assertEquals(List.of("0->1", "1->2", "2->3", "3->4", "4->5"), seenAtEvents);
    }

    @Test
    void aFullDiskAtEachWriteRollsBackWhileTheDeploymentCanStillBeUndone() {
        int total = 17; // writes of a successful run (see above)
        for (int k = 1; k <= total; k++) {
            ReliabilityFixture f = new ReliabilityFixture();
            f.journal.failFrom(k);
            DeploymentResult r = f.finish(f.builder().journal(f.journal).build().start(f.spec, ReliabilityFixture.plan()));
            faults++;
            String ctx = "disk full from write " + k + ": " + r.status() + " " + r.reason();
            if (k == total) {
                // only the final SUCCEEDED record was lost: the journal shows all steps done, recovery does nothing
                assertEquals(DeploymentStatus.SUCCEEDED, r.status(), ctx);
                assertTrue(r.reason().contains("the journal could not be updated"), ctx);
                continue;
            }
            if (k >= 14) {
                // the old targets were being retired when the disk filled: the rollback relaunches them (new endpoints)
                assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), ctx);
                assertEquals(List.of("old1", "old2"), f.router.table().servingTargets().stream().map(Target::id).toList(), ctx);
            } else {
                assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), ctx);
                assertTrue(f.router.table().sameTrafficAs(f.before), ctx + " table " + f.router.table());
            }
            assertTrue(r.reason().contains("No space left on device"), ctx);
            assertEquals(1, f.router.table().servingVersions().size(), ctx);
            assertEquals("v1", f.router.table().servingVersions().iterator().next(), ctx);
            assertTrue(f.launcher.running().keySet().stream().noneMatch(id -> id.equals("n1")), ctx + " " + f.launcher.running());
            if (k == 1) {
                assertEquals(0, f.router.applyCalls(), "nothing touched when the first write fails");
                assertEquals(List.of(), f.launcher.launches());
                assertTrue(r.reason().startsWith("not started: journal write failed"), r.reason());
            }
        }
    }

    @Test
    void aWriteFailingOnlyDuringTheRollbackIsReportedAndTheRollbackFinishes() {
        ReliabilityFixture f = new ReliabilityFixture();
        f.probe.alwaysUnhealthy("n1", "boom");
        f.journal.failOnly(6); // the ROLLING_BACK record (after start, step 1 started, launched, completed, step 2 started)
        DeploymentResult r = f.finish(f.builder().journal(f.journal).build().start(f.spec, ReliabilityFixture.plan()));
        faults++;
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().contains("the journal could not be updated (journal write failed"), r.reason());
        assertEquals(f.before, f.router.table());
        assertEquals(DeploymentStatus.ROLLED_BACK, f.journal.read("shop").orElseThrow().status(), "later writes worked");
    }

    private static JournalRecord crashedAfterHalf(ReliabilityFixture f, Target n1) {
        Routing half = Routing.of(Route.active(n1, 5000), Route.active(f.old1, 2500), Route.active(f.old2, 2500));
        f.router.apply(half);
        f.launcher.adopt(n1);
        JournalRecord r = JournalRecord.start("shop-v2-dead-1", f.spec, ReliabilityFixture.plan(), f.before, f.time.now());
        r = r.stepStarted(0, f.time.now()).withLaunched(n1, f.time.now()).stepCompleted(0, f.time.now())
                .stepStarted(1, f.time.now()).stepCompleted(1, f.time.now()).stepStarted(2, f.time.now())
                .withRoutingApplied(half, f.time.now());
        f.journal.put(r);
        return r;
    }

    @Test
    void startFindsAnInterruptedDeploymentAndRollsItBackToTheJournaledRouting() {
        ReliabilityFixture f = new ReliabilityFixture();
        Target n1 = Target.of("n1", "v2", "10.0.0.9", 9000);
        crashedAfterHalf(f, n1);
        Deployment d = f.builder().journal(f.journal).build().start(f.spec, ReliabilityFixture.plan());
        assertEquals("shop-v2-dead-1", d.id(), "start returns the recovery of the interrupted deployment");
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().startsWith("recovered after a crash (deployment shop-v2-dead-1 of shop v2, RUNNING, interrupted"
                + " in step 3/5 (shift traffic [half]"), r.reason());
        assertEquals(f.before, f.router.table());
        assertEquals(List.of(n1), f.launcher.retired());
        assertEquals(List.of(n1), r.launched());
        DeploymentEvent.Started startedEvent = f.events(DeploymentEvent.Started.class).get(0);
        assertTrue(startedEvent.recovery());
        assertEquals("shop-v2-dead-1", startedEvent.deploymentId());
        assertEquals(f.before, startedEvent.routingBefore());
        String started = startedEvent.detail();
        assertTrue(started.startsWith("recovering deployment shop-v2-dead-1 found interrupted in the journal (its process"
                + " died): ") && started.endsWith("; rolling back to the routing journaled before it"), started);
        assertEquals(DeploymentStatus.ROLLED_BACK, f.journal.read("shop").orElseThrow().status());
        // the next start is an ordinary deployment again
        DeploymentResult again = f.finish(f.builder().journal(f.journal).build().start(f.spec, ReliabilityFixture.replaceAll()));
        assertEquals(DeploymentStatus.SUCCEEDED, again.status());
    }

    @Test
    void resumeContinuesTheInterruptedStep() {
        ReliabilityFixture f = new ReliabilityFixture();
        Target n1 = Target.of("n1", "v2", "10.0.0.9", 9000);
        crashedAfterHalf(f, n1);
        DeploymentResult r = f.finish(f.builder().journal(f.journal).recovery(RecoveryMode.RESUME).build()
                .recover("shop").orElseThrow());
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals(Routing.of(Route.active(n1, 10000), Route.draining(f.old1), Route.draining(f.old2)), f.router.table());
        assertEquals(List.of(f.old1, f.old2), f.launcher.retired());
        DeploymentEvent.Started started = f.events(DeploymentEvent.Started.class).get(0);
        assertTrue(started.recovery());
        assertTrue(started.detail().endsWith("; resuming at step 3/5"), started.detail());
    }

    @Test
    void pastThePointOfNoReturnRecoveryPausesForAPersonInsteadOfRollingBack() {
        ReliabilityFixture f = new ReliabilityFixture();
        Target n1 = Target.of("n1", "v2", "10.0.0.9", 9000);
        JournalRecord r = crashedAfterHalf(f, n1).withPointOfNoReturnPassed(f.time.now());
        f.journal.put(r);
        Deployment d = f.builder().journal(f.journal).build().recover("shop").orElseThrow();
        f.time.runUntilIdle();
        assertEquals(DeploymentStatus.PAUSED, d.status());
        assertTrue(f.router.table().servingVersions().size() == 2, "nothing undone");
        DeploymentEvent.Paused paused = f.events(DeploymentEvent.Paused.class).get(0);
        assertEquals(2, paused.index());
        assertTrue(paused.reason().contains("resume() retries step 3/5 (shift traffic [half]"), paused.reason());
        d.resume();
        assertEquals(DeploymentStatus.SUCCEEDED, f.finish(d).status());
    }

    @Test
    void aDeploymentWhoseLastWriteWasLostIsNotRolledBackAndARollbackInProgressIsFinished() {
        ReliabilityFixture f = new ReliabilityFixture();
        Target n1 = Target.of("n1", "v2", "10.0.0.9", 9000);
        JournalRecord r = crashedAfterHalf(f, n1);
        for (int i = 2; i < 5; i++) {
            r = r.stepCompleted(i, f.time.now());
        }
        f.journal.put(r);
        int applies = f.router.applyCalls();
        DeploymentResult done = f.finish(f.builder().journal(f.journal).build().recover("shop").orElseThrow());
        assertEquals(DeploymentStatus.SUCCEEDED, done.status());
        assertEquals("recovered after a crash: all its steps had completed: nothing to do", done.reason());
        assertEquals(applies, f.router.applyCalls(), "router untouched");

        ReliabilityFixture g = new ReliabilityFixture();
        g.journal.put(crashedAfterHalf(g, n1).withStatus(DeploymentStatus.ROLLING_BACK, "check failed", g.time.now()));
        DeploymentResult rb = g.finish(g.builder().journal(g.journal).recovery(RecoveryMode.RESUME).build().recover("shop").orElseThrow());
        assertEquals(DeploymentStatus.ROLLED_BACK, rb.status(), "a rollback in progress is finished even in RESUME mode");
        assertEquals(g.before, g.router.table());
    }

    @Test
    void aCorruptJournalRefusesToDeployNamingTheFileAndTouchesNothing(@TempDir Path dir) throws Exception {
        ReliabilityFixture f = new ReliabilityFixture();
        FileJournalStore store = FileJournalStore.in(dir);
        store.write(crashedAfterHalf(f, Target.of("n1", "v2", "10.0.0.9", 9000)));
        byte[] b = Files.readAllBytes(store.file("shop"));
        b[b.length - 10] ^= 0x20;
        Files.write(store.file("shop"), b);
        int applies = f.router.applyCalls();
        Engine engine = f.builder().journal(store).build();
        JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> engine.start(f.spec, ReliabilityFixture.plan()));
        assertTrue(e.getMessage().contains(store.file("shop").toString()) && e.getMessage().contains("checksum mismatch"),
                e.getMessage());
        assertEquals(applies, f.router.applyCalls());
        assertEquals(List.of(), f.launcher.launches());
        faults++;
    }

    @Test
    void recoverWithoutAJournalIsAClearError() {
        ReliabilityFixture f = new ReliabilityFixture();
        assertTrue(assertThrows(IllegalStateException.class, () -> f.builder().build().recover("shop")).getMessage()
                .contains("needs a journal"));
        assertTrue(f.builder().journal(f.journal).build().recover("shop").isEmpty(), "nothing journaled: nothing to do");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.builder().lockWait(Duration.ofSeconds(1)).build())
                .getMessage().contains("lockWait PT1S needs a lock"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.builder().journal(null)).getMessage().contains("journal"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.builder().lockWait(Duration.ofSeconds(-1)))
                .getMessage().contains("lockWait must not be negative, was PT-1S"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.builder().recovery(null)).getMessage().contains("recovery"));
    }
}
