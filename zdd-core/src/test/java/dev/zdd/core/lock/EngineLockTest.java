package dev.zdd.core.lock;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.Step;
import dev.zdd.core.Engine;
import dev.zdd.core.crash.ReliabilityFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine with a deployment lock, in virtual time: refusal naming the holder, waiting through the scheduler. */
class EngineLockTest {
    @TempDir
    Path dir;

    /** replaceAll with a manual gate first, so that the first deployment holds the lock until promoted. */
    private static dev.zdd.api.Strategy gated() {
        return ctx -> {
            Plan p = ReliabilityFixture.replaceAll().plan(ctx);
            List<Step> steps = new ArrayList<>(p.steps());
            steps.add(0, new Step.Gate("go", Duration.ofHours(1)));
            return new Plan(p.strategy(), steps);
        };
    }

    @Test
    void aSecondDeploymentOfTheServiceIsRefusedNamingTheHolderAndTheLockIsReleasedAtTheEnd() {
        ReliabilityFixture f = new ReliabilityFixture();
        Engine engine = f.builder().lock(FileDeploymentLock.in(dir)).build();
        // another engine on the same lock directory: what another process would be
        Engine other = f.builder().lock(FileDeploymentLock.in(dir)).build();
        Deployment first = engine.start(f.spec, gated());
        f.time.advance(Duration.ofSeconds(10));
        assertEquals(DeploymentStatus.RUNNING, first.status());
        int applies = f.router.applyCalls();
        IllegalStateException same = assertThrows(IllegalStateException.class,
                () -> engine.start(DeploymentSpec.builder("shop", "v3").build(), ReliabilityFixture.replaceAll()));
        assertTrue(same.getMessage().startsWith("this engine is already deploying shop"), same.getMessage());
        LockHeldException e = assertThrows(LockHeldException.class,
                () -> other.start(DeploymentSpec.builder("shop", "v3").build(), ReliabilityFixture.replaceAll()));
        assertTrue(e.getMessage().startsWith("service 'shop' is being deployed by deployment " + first.id() + " (pid "
                + ProcessHandle.current().pid() + " on host "), e.getMessage());
        assertEquals(applies, f.router.applyCalls(), "the refused deployment touched nothing");
        // another service is not affected
        assertTrue(FileDeploymentLock.in(dir).file("other").getFileName().toString().equals("other.lock"));
        assertTrue(first.promote().toCompletableFuture().join().accepted());
        assertEquals(DeploymentStatus.SUCCEEDED, f.finish(first).status());
        DeploymentResult second = f.finish(other.start(DeploymentSpec.builder("shop", "v3").build(), ReliabilityFixture.replaceAll()));
        assertEquals(DeploymentStatus.SUCCEEDED, second.status());
        assertEquals(java.util.Set.of("v3"), f.router.table().servingVersions());
    }

    @Test
    void withLockWaitTheSecondWaitsPendingThroughTheSchedulerAndPlansOnceItHasTheLock() {
        ReliabilityFixture f = new ReliabilityFixture();
        Engine engine = f.builder().lock(FileDeploymentLock.in(dir)).lockWait(Duration.ofMinutes(30)).build();
        // the second deployment comes from another engine on the same lock (one engine refuses a second deployment)
        Engine other = f.builder().lock(FileDeploymentLock.in(dir)).lockWait(Duration.ofMinutes(30)).build();
        Deployment first = engine.start(f.spec, gated());
        f.time.advance(Duration.ofSeconds(10));
        Deployment second = other.start(DeploymentSpec.builder("shop", "v3").build(), ReliabilityFixture.replaceAll());
        f.time.advance(Duration.ofMinutes(10));
        assertEquals(DeploymentStatus.PENDING, second.status(), "waits while the first holds the lock");
        assertTrue(first.promote().toCompletableFuture().join().accepted());
        assertEquals(DeploymentStatus.SUCCEEDED, f.finish(first).status());
        DeploymentResult r = f.finish(second);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        // planned after the first finished: it replaced v2's target, not the original ones
        assertEquals(List.of("n-v2"), r.routingBefore().servingTargets().stream().map(t -> t.id()).toList());
        assertEquals(java.util.Set.of("v3"), f.router.table().servingVersions());
    }

    @Test
    void aWaitThatRunsOutOrIsAbortedEndsWithNothingDone() {
        ReliabilityFixture f = new ReliabilityFixture();
        Engine engine = f.builder().lock(FileDeploymentLock.in(dir)).lockWait(Duration.ofMinutes(5)).build();
        Engine other = f.builder().lock(FileDeploymentLock.in(dir)).lockWait(Duration.ofMinutes(5)).build();
        Deployment first = engine.start(f.spec, gated());
        f.time.advance(Duration.ofSeconds(10));
        int applies = f.router.applyCalls();
        Deployment late = other.start(DeploymentSpec.builder("shop", "v3").build(), ReliabilityFixture.replaceAll());
        DeploymentResult r = f.finish(late);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().startsWith("not started: service 'shop' is being deployed by deployment " + first.id())
                && r.reason().endsWith("still held after waiting PT5M"), r.reason());
        Deployment aborted = other.start(DeploymentSpec.builder("shop", "v4").build(), ReliabilityFixture.replaceAll());
        assertTrue(aborted.abort("changed my mind").toCompletableFuture().join().accepted());
        assertEquals("not started: aborted while waiting: changed my mind", f.finish(aborted).reason());
        assertEquals(applies, f.router.applyCalls());
        assertEquals(DeploymentStatus.RUNNING, first.status());
        first.abort("test over");
        f.finish(first);
    }
}
