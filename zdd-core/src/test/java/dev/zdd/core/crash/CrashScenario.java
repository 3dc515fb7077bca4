package dev.zdd.core.crash;

import dev.zdd.api.DeploymentListener;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.journal.FileJournalStore;
import dev.zdd.core.journal.RecoveryMode;
import dev.zdd.core.lock.FileDeploymentLock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The deployment the crash test interrupts: service {@code shop} moves from {@code b1} (1.0) to a launched {@code g1}
 * (2.0) through a 50/50 step, then retires {@code b1}. Shared by the child JVM and the parent's recovery run.
 */
final class CrashScenario {
    static final String SERVICE = "shop";
    static final DeploymentSpec SPEC = DeploymentSpec.builder(SERVICE, "2.0").instances(1).build();
    static final Plan PLAN = new Plan("crash-test", List.of(
            new Step.Launch("g1", "2.0", Map.of("colour", "green")),
            new Step.AwaitHealthy(List.of("g1")),
            Step.ShiftTraffic.of("half", List.of(Step.Allocation.active("g1", 5000), Step.Allocation.active("b1", 5000))),
            Step.ShiftTraffic.of("all", List.of(Step.Allocation.active("g1", 10000), Step.Allocation.draining("b1"))),
            new Step.Drain(List.of("b1"), Duration.ZERO),
            new Step.Retire(List.of("b1"), Duration.ZERO)));
    static final ProbePolicy PROBES = ProbePolicy.builder().period(Duration.ofMillis(50)).timeout(Duration.ofSeconds(2))
            .deadline(Duration.ofSeconds(20)).build();

    private CrashScenario() {
    }

    /** An engine on the front, with journal and lock in {@code dir}; {@code point} is told of every crash point. */
    static Engine engine(String frontUrl, Path dir, RecoveryMode mode, Consumer<String> point, DeploymentListener listener) {
        FrontClients c = new FrontClients(frontUrl);
        TrafficRouter router = c.router();
        TargetLauncher launcher = c.launcher();
        HealthProbe probe = c.probe();
        TrafficRouter pointed = new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                router.apply(routing);
                point.accept("router.apply returned (" + routing + ")");
            }

            @Override
            public Routing current() {
                return router.current();
            }

            @Override
            public dev.zdd.api.RouterCapabilities capabilities() {
                return router.capabilities();
            }
        };
        TargetLauncher pointedLauncher = new TargetLauncher() {
            @Override
            public Target launch(LaunchRequest request) {
                Target t = launcher.launch(request);
                point.accept("launcher.launch returned " + t.id());
                return t;
            }

            @Override
            public void retire(Target target, Duration grace) {
                launcher.retire(target, grace);
                point.accept("launcher.retire returned " + target.id());
            }
        };
        Engine.Builder b = Engine.builder().router(pointed).launcher(pointedLauncher).probe(probe).probePolicy(PROBES)
                .stepDeadline(Duration.ofSeconds(20))
                .journal(FileJournalStore.in(dir.resolve("journal")))
                .lock(FileDeploymentLock.in(dir.resolve("locks")))
                .recovery(mode);
        if (listener != null) {
            b.listener(listener);
        }
        return b.build();
    }
}
