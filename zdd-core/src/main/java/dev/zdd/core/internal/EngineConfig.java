package dev.zdd.core.internal;

import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentHook;
import dev.zdd.api.DeploymentListener;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Scheduler;
import dev.zdd.api.TargetLauncher;
import dev.zdd.api.TrafficRouter;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Everything an engine was built with, validated by {@code Engine.Builder}. Immutable; thread-safe. Internal.
 *
 * @param router             the router
 * @param launcher           the launcher, or {@code null}
 * @param probe              the probe, or {@code null}
 * @param probePolicy        the probe policy
 * @param scheduler          timers
 * @param executor           blocking calls of probes, checks and hooks
 * @param laneExecutor       blocking calls of the router and the launcher, run through each deployment's lanes
 * @param listeners          listeners in registration order
 * @param checks             checks by name
 * @param hooks              hooks by name
 * @param stepDeadline       bound of every blocking call
 * @param inconclusiveAsPass whether INCONCLUSIVE passes
 * @param drainPoll          period of connection polls while draining
 * @param rollbackGrace      grace when retiring launched targets on rollback
 * @param rollbackRetries    retries of the routing restore
 * @param rollbackBackoff    first backoff between routing restore attempts (doubles)
 * @param deploymentDeadline bound of a whole deployment's forward run, or {@code null} for none
 * @param gradualRollback    steps back of a rollback, or {@code null} for all at once
 */
public record EngineConfig(TrafficRouter router, TargetLauncher launcher, HealthProbe probe, ProbePolicy probePolicy,
                           Scheduler scheduler, Executor executor, Executor laneExecutor,
                           List<DeploymentListener> listeners,
                           Map<String, DeploymentCheck> checks, Map<String, DeploymentHook> hooks, Duration stepDeadline,
                           boolean inconclusiveAsPass, Duration drainPoll, Duration rollbackGrace, int rollbackRetries,
                           Duration rollbackBackoff, Duration deploymentDeadline,
                           dev.zdd.core.GradualRollback gradualRollback) {
    /** Copies the collections. */
    public EngineConfig {
        listeners = List.copyOf(listeners);
        checks = Map.copyOf(checks);
        hooks = Map.copyOf(hooks);
    }

    /** A short name of the router for messages. */
    public String routerName() {
        return router.getClass().getSimpleName();
    }
}
