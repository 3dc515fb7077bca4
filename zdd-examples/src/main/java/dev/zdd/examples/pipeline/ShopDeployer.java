package dev.zdd.examples.pipeline;

import dev.zdd.api.CheckResult;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Scheduler;
import dev.zdd.api.TargetLauncher;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.strategy.BlueGreen;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * A deploy pipeline as a user writes it in application code: blue-green with a smoke check on the new colour before the
 * switch, a two-minute window in which the old colour stays warm, and a probe policy of its own. The collaborators are
 * passed in, so the pipeline is unit-tested with zdd's test kit (see {@code ShopDeployerTest}) and run for real with
 * nginx or HAProxy, Docker and {@code Schedulers.system()}. Thread-safe (immutable).
 */
public final class ShopDeployer {
    /** Probe policy of the shop: every 2 s, 3 failures, 2 minutes to become healthy. */
    public static final ProbePolicy PROBES = ProbePolicy.builder().period(Duration.ofSeconds(2)).failureThreshold(3)
            .deadline(Duration.ofMinutes(2)).build();

    private final Engine engine;
    private final BlueGreen strategy = BlueGreen.builder()
            .initialColour("blue")
            .preview()
            .previewCheck("smoke")
            .rollbackWindow(Duration.ofMinutes(2))
            .build();

    /**
     * @param smoke the smoke test run through the preview route, e.g. "GET /api/products answers 200"
     */
    public ShopDeployer(TrafficRouter router, TargetLauncher launcher, HealthProbe probe, Scheduler scheduler,
                        Executor executor, SmokeTest smoke) {
        this.engine = Engine.builder()
                .router(router)
                .launcher(launcher)
                .probe(probe)
                .probePolicy(PROBES)
                .scheduler(scheduler)
                .executor(executor)
                .check("smoke", context -> smoke.passes(context.version())
                        ? CheckResult.pass("smoke test passed") : CheckResult.fail("smoke test failed"))
                .build();
    }

    /** The plan for {@code version}, without touching anything. */
    public Plan dryRun(String version, int instances) {
        return engine.plan(spec(version, instances), strategy);
    }

    /** Starts deploying {@code version} on {@code instances} new instances of the idle colour. */
    public Deployment deploy(String version, int instances) {
        return engine.start(spec(version, instances), strategy);
    }

    private static DeploymentSpec spec(String version, int instances) {
        return DeploymentSpec.builder("shop", version).instances(instances).build();
    }

    /** The user's smoke test of a version, reached through the preview route. */
    @FunctionalInterface
    public interface SmokeTest {
        /** {@code true} when the version passes. */
        boolean passes(String version) throws Exception;
    }
}
