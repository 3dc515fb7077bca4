package dev.zdd.core.internal;

import dev.zdd.api.DeploymentCheck;

import dev.zdd.api.Clock;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Routing;
import dev.zdd.api.Plan;
import dev.zdd.api.Target;
import dev.zdd.core.journal.JournalRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the pieces of one deployment's run share: its configuration, identity, actor, bounded calls and lanes, events,
 * journal, and, once planned, the plan and the {@link Ledger}. Confined to the deployment's actor except for the final
 * fields. Internal.
 */
final class RunContext {
    /** Most launcher calls one deployment makes at once; further ones wait in its launcher lane. */
    static final int LAUNCHER_CALLS = 16;
    /** Longest text quoted in one log line. */
    static final int BRIEF = 400;

    final EngineConfig cfg;
    final Reliability rel;
    final String id;
    final DeploymentSpec spec;
    final Clock clock;
    final Actor actor;
    final Calls calls;
    final Lane routerLane;
    final Lane launcherLane;
    final Events events;
    final JournalWriter journal;
    /** The deployment's lease and fence (a fence that never refuses without a lock). */
    final LeaseKeeper lease;
    private final LauncherOutcomes outcomes;
    Plan plan;
    Ledger ledger;
    private String[] stepNames = new String[0];
    /** The checks of this run, each asked for once ({@link DeploymentCheck#forDeployment(String)}); any thread. */
    private final java.util.Map<String, DeploymentCheck> checks = new java.util.concurrent.ConcurrentHashMap<>();

    RunContext(EngineConfig cfg, Reliability rel, DeploymentSpec spec, String id, JournalRecord recovered,
               java.util.function.Consumer<Throwable> onInternalFailure) {
        this.cfg = cfg;
        this.rel = rel;
        this.spec = spec;
        this.id = id;
        this.clock = cfg.scheduler().clock();
        this.actor = new Actor("deployment " + id, onInternalFailure);
        this.calls = new Calls(id, cfg.scheduler(), cfg.executor(), actor);
        this.routerLane = new Lane("deployment " + id + ": router", cfg.laneExecutor(), 1, cfg.scheduler(),
                cfg.stepDeadline(), new Lane.Watcher() {
                    @Override
                    public void abandoned(String what) {
                        actor.post(() -> stray(what, false));
                    }

                    @Override
                    public void endedLate(String what) {
                        actor.post(() -> stray(what, true));
                    }
                });
        this.launcherLane = new Lane("deployment " + id + ": launcher", cfg.laneExecutor(), LAUNCHER_CALLS,
                cfg.scheduler(), cfg.stepDeadline());
        this.events = new Events(id, cfg.listeners());
        this.lease = new LeaseKeeper(id, clock);
        this.journal = new JournalWriter(rel.journal(), id, clock, recovered, lease);
        this.outcomes = new LauncherOutcomes(this);
    }

    /** A router call left the lane before returning ({@code late}: and returned since); see {@link Strays}. */
    private void stray(String what, boolean late) {
        if (ledger != null) {
            ledger.strayRouterCalls.put(what, late);
        }
    }

    /** Applies {@code routing} after checking the lease, passing the router the fence. On the calling thread. */
    void apply(Routing routing) {
        lease.check();
        cfg.router().apply(routing, lease);
    }

    /** Launches after checking the lease. On the calling thread. */
    Target launch(LaunchRequest request) {
        lease.check();
        return cfg.launcher().launch(request);
    }

    /** Retires after checking the lease. On the calling thread. */
    void retire(Target target, java.time.Duration grace) {
        lease.check();
        cfg.launcher().retire(target, grace);
    }

    /** What launcher calls really did. */
    LauncherOutcomes outcomes() {
        return outcomes;
    }

    /** Sets the plan and the routing read before it; the ledger starts from them. */
    void planned(Plan p, dev.zdd.api.Routing before) {
        this.plan = p;
        this.ledger = new Ledger(before, spec.targets());
        this.stepNames = new String[p.steps().size()];
        for (int i = 0; i < stepNames.length; i++) {
            stepNames[i] = Texts.step(p.steps().get(i));
        }
    }

    Instant now() {
        return clock.now();
    }

    int steps() {
        return stepNames.length;
    }

    String stepName(int i) {
        return i >= 0 && i < stepNames.length ? stepNames[i] : "";
    }

    /** {@code step 3/7 (shift traffic ...)}. */
    String label(int i) {
        return "step " + (i + 1) + "/" + stepNames.length + " (" + stepName(i) + ")";
    }

    /**
     * The registered check {@code name} for this run: created on first use, kept until the run ends. Called on the
     * executor inside the bounded check call, so a failing {@code forDeployment} is that check's failure.
     */
    DeploymentCheck check(String name) {
        return checks.computeIfAbsent(name, n -> {
            DeploymentCheck c = cfg.checks().get(n).forDeployment(id);
            if (c == null) {
                throw new IllegalStateException("check '" + n + "' returned no check for deployment " + id);
            }
            return c;
        });
    }

    /** What checks and hooks are told. */
    DeploymentContext context() {
        List<Target> fresh = new ArrayList<>(spec.targets());
        for (Target t : ledger.launched) {
            if (ledger.life(t.id()) == Ledger.Life.RUNNING && t.version().equals(spec.version())) {
                fresh.add(t);
            }
        }
        return new DeploymentContext(id, spec.service(), spec.version(), ledger.lastApplied, fresh,
                ledger.routingBefore.targets(), clock);
    }

    static String describe(Target t) {
        return t.id() + " (" + t.version() + " @ " + t.endpoint() + ")";
    }
}
