package dev.zdd.core.sim;

import dev.zdd.api.Deployment;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.guard.Guard;
import dev.zdd.core.guard.GuardEvent;
import dev.zdd.core.testing.VirtualScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The steady-state guard in the simulation (issue 12): in some seeds a {@link Guard} watches the service and the
 * deployment is started through {@link Guard#deploy(Supplier)}; a target (an old one, or one the deployment brings)
 * starts failing the guard's probes at a seeded time. The guard reads the world's table and records every table it
 * applies instead of changing the world (so the engine's invariants stay about the engine). Invariants: the guard
 * applies nothing while the deployment runs (one owner of the routing), reports a failing target to the deployment
 * instead of ejecting it, aborts only for a target the deployment brought, and takes the routing back once the
 * deployment has ended.
 */
final class SimGuard {
    /** Which target fails the guard's probes. */
    enum Mode { OLD_FAILS, NEW_FAILS }

    private final World w;
    private final Mode mode;
    private final Duration failFrom;
    private final Set<String> olds;
    private final List<String> violations = new ArrayList<>();
    private final List<GuardEvent> events = new ArrayList<>();
    private final Guard guard;
    private final String victim;
    private Deployment deployment;

    private SimGuard(World w, long seed, List<Target> oldTargets, VirtualScheduler time) {
        this.w = w;
        Dice dice = Dice.of(seed, 12);
        this.mode = dice.chance(0.5) ? Mode.OLD_FAILS : Mode.NEW_FAILS;
        this.failFrom = Duration.ofSeconds(dice.between(0, 3600));
        this.olds = Set.copyOf(oldTargets.stream().map(Target::id).toList());
        this.victim = oldTargets.isEmpty() ? null : oldTargets.get(dice.between(0, oldTargets.size() - 1)).id();
        HealthProbe probe = (t, timeout) -> {
            boolean failing = time.elapsed().compareTo(failFrom) >= 0
                    && (mode == Mode.OLD_FAILS ? t.id().equals(victim) : !olds.contains(t.id()));
            return failing ? HealthResult.unhealthy("sim: guard probe fails") : HealthResult.healthy();
        };
        TrafficRouter view = new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                boolean running = deployment == null || !deployment.status().isTerminal();
                w.log("guard applies " + World.routesById(routing) + (running ? " WHILE THE DEPLOYMENT RUNS" : ""));
                if (running) {
                    violations.add("guard applied " + World.routesById(routing) + " while the deployment runs");
                }
            }

            @Override
            public Routing current() {
                return w.table();
            }

            @Override
            public RouterCapabilities capabilities() {
                return RouterCapabilities.WEIGHTS_ONLY;
            }
        };
        this.guard = Guard.builder(view, probe).scheduler(time).executor(time.inlineExecutor())
                .policy(ProbePolicy.builder().period(Duration.ofMinutes(1)).timeout(Duration.ofSeconds(1))
                        .failureThreshold(2).successThreshold(1).build())
                .listener(this::onEvent).build().start();
    }

    /** A guard for this seed, or null when the seed runs without one (three seeds in four). */
    static SimGuard forSeed(World w, long seed, List<Target> olds, VirtualScheduler time) {
        return Math.floorMod(seed, 4) == 0 ? new SimGuard(w, seed, olds, time) : null;
    }

    private void onEvent(GuardEvent e) {
        if (e instanceof GuardEvent.Probed) {
            return;
        }
        events.add(e);
        String text = e.describe();
        w.log("guard: " + (deployment == null ? text : text.replace(deployment.id(), "<id>")));
        boolean running = deployment == null || !deployment.status().isTerminal();
        if (e instanceof GuardEvent.TargetEjected t && running && guard.deferring()) {
            violations.add("guard ejected " + t.target().id() + " while the deployment owns the routing");
        }
        if (e instanceof GuardEvent.ReportedToDeployment r && r.aborted() && olds.contains(r.target().id())) {
            violations.add("guard aborted the deployment for " + r.target().id() + ", which served before it");
        }
    }

    /** Starts the deployment through the guard. */
    Deployment deploy(Supplier<Deployment> start) {
        deployment = guard.deploy(start);
        w.log("guard: " + mode + " from " + failFrom + (mode == Mode.OLD_FAILS ? " (" + victim + ")" : ""));
        return deployment;
    }

    /** After the deployment ended: the guard has the routing back. Closes the guard. */
    List<String> finish(VirtualScheduler time) {
        if (deployment != null && deployment.status().isTerminal()) {
            time.runUntil(() -> !guard.deferring(), Duration.ofMinutes(5));
            if (guard.deferring()) {
                violations.add("guard still defers to the deployment after it ended " + deployment.status());
            }
            time.runUntil(() -> false, Duration.ofMinutes(3)); // a few rounds as the owner again
        }
        guard.close();
        return violations;
    }
}
