package dev.zdd.core.sim;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.Plan;
import dev.zdd.api.RouterException;
import dev.zdd.api.Strategy;
import dev.zdd.core.Engine;
import dev.zdd.core.lock.LockHeldException;
import dev.zdd.core.testing.VirtualScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of the simulation: builds the scenario of a seed, runs the deployment in virtual time (the person's handle
 * calls at their times; an abort when the script is over and the deployment is still going), waits for calls that land
 * late, then checks the invariants. The same seed gives the same {@link Outcome}, trace included, on any thread.
 */
final class SimRun {
    /** How a run ended. */
    enum End { SUCCEEDED, ROLLED_BACK, FAILED, REFUSED, NOT_ENDED, CRASHED }

    /**
     * @param seed       the seed
     * @param end        how it ended
     * @param why        why it was refused (or empty)
     * @param violations broken invariants, empty when all hold
     * @param trace      what happened, in order
     * @param faults     faults injected by kind
     */
    record Outcome(long seed, End end, String why, List<String> violations, List<String> trace,
                   Map<String, Integer> faults, long wallMillis) {
        Outcome timed(long t0) {
            return new Outcome(seed, end, why, violations, trace, faults, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** Virtual time a deployment may run by itself after the last scripted handle call. */
    static final Duration NATURAL = Duration.ofDays(3);
    /** Virtual time a rollback may take after the simulator's final abort, besides 40 step deadlines. */
    static final Duration ROLLBACK = Duration.ofDays(1);

    private SimRun() {
    }

    static Outcome run(long seed, boolean verbose) {
        long t0 = System.nanoTime();
        return runTimed(seed, verbose).timed(t0);
    }

    private static Outcome runTimed(long seed, boolean verbose) {
        Scenario s;
        try {
            s = ScenarioGenerator.generate(seed);
        } catch (IllegalArgumentException e) {
            return new Outcome(seed, End.REFUSED, "generator: " + e.getMessage(), List.of(), List.of(), Map.of(), 0);
        }
        VirtualScheduler time = new VirtualScheduler();
        try {
            return run(s, time, verbose);
        } finally {
            time.shutdown();
        }
    }

    private static Outcome run(Scenario s, VirtualScheduler time, boolean verbose) {
        FaultScript script = new FaultScript(s.seed(), s.faultRate(), s.interjectRate(), s.blockingFaults());
        World w = new World(time, script, s.before(), s.olds(), verbose);
        if (verbose) {
            w.log(s.describe());
        }
        List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
        SimJudges judges = new SimJudges(w, s.stepDeadline());
        SimStores.Lock lock = s.lockBusyFor() == null ? null : new SimStores.Lock(w, s.lockBusyFor(), s.lease());
        Engine engine;
        try {
            Engine.Builder b = Engine.builder().router(new SimRouter(w, s.capabilities(), s.stepDeadline()))
                    .launcher(new SimLauncher(w, s.stepDeadline())).probe(judges).probePolicy(s.probePolicy())
                    .scheduler(time).executor(time.executor()).stepDeadline(s.stepDeadline())
                    .listener(e -> {
                        events.add(e);
                        w.log(EventChecks.render(e));
                    });
            for (String c : SimJudges.CHECKS) {
                b.check(c, judges.check(c));
            }
            for (String h : SimJudges.HOOKS) {
                b.hook(h, judges.hook(h));
            }
            if (s.journal()) {
                b.journal(new SimStores.Journal(w));
            }
            Dice pace = Dice.of(s.seed(), 15);
            if (pace.chance(0.2)) {
                // a gradual rollback (issue 12): the restore goes back in steps
                b.gradualRollback(dev.zdd.core.GradualRollback.of(pace.between(2, 5), pace.millisBetween(1, 120_000)));
            }
            if (lock != null) {
                b.lock(lock).lockWait(s.lockWait());
            }
            engine = b.build();
        } catch (IllegalArgumentException e) {
            return refused(s, w, lock, "engine builder: " + e.getMessage());
        }
        AtomicReference<Plan> planned = new AtomicReference<>(s.plan());
        Strategy strategy = s.strategy() == null ? null : ctx -> {
            Plan p = s.strategy().plan(ctx);
            planned.set(p);
            return p;
        };
        for (Scenario.Call c : s.script()) {
            time.schedule(c.at(), () -> w.act(c.action(), "scripted at " + c.at()));
        }
        Deployment d;
        SimGuard guard = SimGuard.forSeed(w, s.seed(), s.olds(), time);
        try {
            Engine e = engine;
            java.util.function.Supplier<Deployment> start = () -> strategy != null ? e.start(s.spec(), strategy)
                    : e.start(s.spec(), s.plan());
            d = guard != null ? guard.deploy(start) : start.get();
        } catch (IllegalArgumentException | RouterException | LockHeldException e) {
            return refused(s, w, lock, "start: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).startsWith("sim:")) {
                return refused(s, w, lock, "start: " + e.getMessage());
            }
            return crashed(s, w, "engine.start threw " + e);
        } catch (RuntimeException e) {
            return crashed(s, w, "engine.start threw " + e);
        }
        w.handle(d);
        AtomicReference<Object> completedWith = new AtomicReference<>();
        d.completion().whenComplete((r, e) -> {
            completedWith.set(r != null ? r : e);
            w.completed();
        });
        List<String> v = new ArrayList<>();
        Duration natural = World.plus(s.scriptEnd(), NATURAL);
        boolean ended = time.runUntil(() -> d.status().isTerminal(), natural);
        if (!ended) {
            w.log("still " + d.status() + " after " + natural + ": the simulator aborts");
            w.act(HandleAction.ABORT, "time is up");
            Duration bound = World.plus(ROLLBACK, times(s.stepDeadline(), 40));
            if (!time.runUntil(() -> d.status().isTerminal(), bound)) {
                v.add("did not end: still " + d.status() + " " + bound + " after the simulator's abort");
            }
        }
        if (guard != null) {
            v.addAll(guard.finish(time));
        }
        time.runUntil(() -> false, World.plus(Duration.ofDays(1), times(s.stepDeadline(), 4)));
        int steps = planned.get() == null ? -1 : planned.get().steps().size();
        DeploymentResult r = d.result().orElse(null);
        if (r != null && d.status().isTerminal()) {
            if (r.status() != d.status()) {
                v.add("status() is " + d.status() + " but result() says " + r.status() + " (" + r.reason() + ")");
            }
            Object c = completedWith.get();
            if (!r.equals(c)) {
                v.add("completion() completed with " + describe(c) + " but result() is " + describe(r));
            }
            v.addAll(Invariants.terminal(w, s.before(), planned.get(), r));
            if (r.reason().startsWith("lost its lease")) {
                w.count("LEASE.LOST_ENDED");
            }
            v.addAll(EventChecks.check(List.copyOf(events), r, steps));
            if (lock != null && lock.held()) {
                v.add("the lock is still held after the deployment ended");
            }
        } else if (v.isEmpty()) {
            v.add("not terminal: status " + d.status() + ", result " + (r == null ? "none" : r.status()));
        }
        for (String e : ActorErrors.take(d.id())) {
            v.add("internal task failed: " + e);
        }
        for (Throwable t : time.failures()) {
            v.add("virtual scheduler task failed: " + t);
        }
        End end = r == null || !d.status().isTerminal() ? End.NOT_ENDED : End.valueOf(d.status().name());
        w.log("end: " + d.status() + (r == null ? "" : " " + describe(r)));
        return new Outcome(s.seed(), end, "", v, w.trace(), w.faultCounts(), 0);
    }

    private static Duration times(Duration d, int n) {
        try {
            return d.multipliedBy(n);
        } catch (ArithmeticException e) {
            return Dice.FOREVER;
        }
    }

    private static String describe(Object o) {
        if (o instanceof DeploymentResult r) {
            return r.status() + " (" + r.reason().replace(r.id(), "<id>") + ")" + (r.leftovers().isEmpty() ? ""
                    : " leftovers " + r.leftovers());
        }
        return String.valueOf(o);
    }

    /** A run refused before it started: nothing may have been touched. */
    private static Outcome refused(Scenario s, World w, SimStores.Lock lock, String why) {
        List<String> v = new ArrayList<>();
        if (w.applies() > 0 || w.launches() > 0 || w.retires() > 0) {
            v.add("refused (" + why + ") after touching the world: " + w.applies() + " applies, " + w.launches()
                    + " launches, " + w.retires() + " retires");
        }
        if (lock != null && lock.held()) {
            v.add("refused (" + why + ") but the lock is still held");
        }
        w.log("refused: " + why);
        return new Outcome(s.seed(), End.REFUSED, why, v, w.trace(), w.faultCounts(), 0);
    }

    private static Outcome crashed(Scenario s, World w, String what) {
        w.log(what);
        return new Outcome(s.seed(), End.CRASHED, what, List.of(what), w.trace(), w.faultCounts(), 0);
    }
}
