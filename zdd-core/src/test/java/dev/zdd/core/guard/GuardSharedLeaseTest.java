package dev.zdd.core.guard;

import dev.zdd.api.Clock;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.FileDeploymentLock;
import dev.zdd.core.lock.LockOwner;
import dev.zdd.core.testing.RecordingRouter;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guard sharing the routing with deployers of other processes through the service's deployment lock (a real
 * {@link FileDeploymentLock}): it applies nothing while a deployer holds the lease, and takes a deployer's result as the
 * new committed table instead of re-applying the old one over it as drift. Regression: without the lease, the guard's
 * default drift action reverted a deployment made by a deployer in another process as soon as it ended.
 */
class GuardSharedLeaseTest {
    final VirtualScheduler time = new VirtualScheduler();
    final Target a = Target.of("a", "v1", "10.0.0.1", 8080);
    final Target b = Target.of("b", "v1", "10.0.0.2", 8080);
    final Target c = Target.of("c", "v2", "10.0.0.3", 8080);
    final Target d = Target.of("d", "v2", "10.0.0.4", 8080);
    final Map<String, Boolean> down = new ConcurrentHashMap<>();
    final HealthProbe probe = (t, timeout) -> down.getOrDefault(t.id(), false)
            ? HealthResult.unhealthy("connection refused") : HealthResult.healthy();
    final List<GuardEvent> events = Collections.synchronizedList(new ArrayList<>());
    @TempDir
    Path dir;
    Guard guard;

    @AfterEach
    void close() {
        if (guard != null) {
            guard.close();
        }
        time.shutdown();
    }

    DeploymentLock lock() {
        return FileDeploymentLock.builder().directory(dir.resolve("locks")).build();
    }

    Guard start(RecordingRouter router, DeploymentLock lock) {
        return Guard.builder(router, probe).policy(GuardTest.POLICY).scheduler(time).executor(time.executor())
                .listener(events::add).lease(lock, "shop").build().start();
    }

    /** What "another process" does: take the lease, apply its table, release. */
    static DeploymentLock.Lease deployer(DeploymentLock lock) {
        return lock.tryAcquire("shop", LockOwner.current("shop-v2-other", Clock.system()));
    }

    @Test
    void aDeploymentOfAnotherProcessIsAdoptedNotRevertedAsDrift() {
        RecordingRouter router = RecordingRouter.serving(a, b);
        DeploymentLock lock = lock();
        guard = start(router, lock);
        time.advance(Duration.ofSeconds(3));
        Routing v2 = Routing.of(Route.active(c, 5000), Route.active(d, 5000));

        try (DeploymentLock.Lease other = deployer(lock)) {
            router.apply(v2);
            time.advance(Duration.ofSeconds(3));
            assertEquals(1, router.applyCalls(), "nothing applied while the deployer holds the lease");
            assertTrue(events.stream().anyMatch(e -> e instanceof GuardEvent.OwnerChanged o && o.toDeployment()
                    && o.deploymentId().contains("shop-v2-other")), events.toString());
        }
        time.advance(Duration.ofSeconds(3));
        assertEquals(1, router.applyCalls(), "the deployer's table was not re-applied over: " + router.applied());
        assertTrue(guard.committed().sameTrafficAs(v2), guard.committed().toString());
        assertTrue(router.table().sameTrafficAs(v2));

        // drift detection still works for the adopted table: a hand edit is undone
        router.apply(Routing.of(Route.active(a, 10000)));
        time.advance(Duration.ofSeconds(2));
        assertTrue(router.table().sameTrafficAs(v2), router.table().toString());
    }

    @Test
    void aDeploymentShorterThanARoundIsSeenByItsFencingTokenAndAdopted() {
        RecordingRouter router = RecordingRouter.serving(a, b);
        DeploymentLock lock = lock();
        guard = start(router, lock);
        time.advance(Duration.ofSeconds(3));
        Routing v2 = Routing.of(Route.active(c, 10000));
        try (DeploymentLock.Lease other = deployer(lock)) {
            router.apply(v2); // between two rounds: the guard never sees the lease held
        }
        time.advance(Duration.ofSeconds(3));
        assertEquals(1, router.applyCalls(), "not reverted: " + router.applied());
        assertTrue(guard.committed().sameTrafficAs(v2), guard.committed().toString());
    }

    @Test
    void aFailingTargetIsNotEjectedWhileAnotherProcessHoldsTheLeaseAndIsOnceItEnds() {
        RecordingRouter router = RecordingRouter.serving(a, b);
        DeploymentLock lock = lock();
        guard = start(router, lock);
        time.advance(Duration.ofSeconds(2));
        try (DeploymentLock.Lease other = deployer(lock)) {
            down.put("b", true);
            time.advance(Duration.ofSeconds(4));
            assertEquals(0, router.applyCalls(), "no guard apply under another's lease");
            assertTrue(guard.ejected().isEmpty(), guard.ejected().toString());
        }
        time.advance(Duration.ofSeconds(4));
        assertEquals(List.of("b"), List.copyOf(guard.ejected()));
        assertFalse(router.table().route("b").orElseThrow().serving(), router.table().toString());
    }

    @Test
    void withoutTheLeaseADeploymentOfAnotherProcessLooksLikeDrift() {
        RecordingRouter router = RecordingRouter.serving(a, b);
        guard = Guard.builder(router, probe).policy(GuardTest.POLICY).scheduler(time).executor(time.executor())
                .listener(events::add).build().start();
        time.advance(Duration.ofSeconds(2));
        router.apply(Routing.of(Route.active(c, 10000)));
        time.advance(Duration.ofSeconds(2));
        assertTrue(router.table().route("a").orElseThrow().serving(), "the documented default without a lease");
    }

    @Test
    void leaseArgumentsAreChecked() {
        Guard.Builder builder = Guard.builder(RecordingRouter.serving(a), probe);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.lease(lock(), " "));
        assertTrue(e.getMessage().contains("service"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.lease(null, "shop"));
    }
}
