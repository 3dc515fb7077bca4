package dev.zdd.core.internal;

import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * Undoes what the {@link Ledger} says a deployment did, in this order: wait (bounded) until every launcher call in doubt
 * has settled; bring back the old targets that were retired or may have been stopped (retire again where a stop was
 * cut off, then relaunch and probe), so that no traffic goes back to a stopped target; restore exactly the routing read
 * before (with relaunched targets in place of their old selves), with retries; retire what was launched. What it
 * cannot do becomes a leftover, and then the deployment ends FAILED instead of ROLLED_BACK. Each action is a step
 * outcome with index -1. Not thread-safe: confined to the actor. Internal.
 */
final class Rollback {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    /** Hears the end of the rollback. */
    interface Done {
        void rolledBack(DeploymentStatus end);
    }

    private final RunContext ctx;
    private final Ledger ledger;
    private final Done done;
    private final Map<String, Target> replaced = new HashMap<>();
    /** Launched targets the rollback already tried to retire (a launch answering late adds one after that). */
    private final java.util.Set<String> retireTried = new java.util.HashSet<>();
    private boolean trafficRestored;
    private boolean inventoryAsked;
    private Action settling;
    /** The action in progress (null between actions or once stopped). */
    private Action current;
    private boolean stopped;
    /** The gradual rollback's step whose router call was cut off by its deadline, or null. */
    private String cutOffStepBack;

    Rollback(RunContext ctx, Done done) {
        this.ctx = ctx;
        this.ledger = ctx.ledger;
        this.done = done;
    }

    void start() {
        if (ledger.unsettled.isEmpty()) {
            relaunch(ledger.preexistingDown(), 0);
            return;
        }
        settling = new Action("wait for launcher calls in doubt (" + String.join(", ", ledger.unsettled) + ")");
        Duration bound = Durations.plus(ctx.cfg.stepDeadline(), ctx.cfg.stepDeadline());
        ctx.outcomes().onChange(this::settled);
        ctx.calls.timer(settling.scope, bound, () -> {
            settling.fail("still no answer after " + Texts.duration(bound) + ": " + String.join(", ", ledger.unsettled));
            for (String what : ledger.unsettled) {
                ledger.leftovers.add(what + " did not answer: check what it did by hand");
            }
            settling = null;
            relaunch(ledger.preexistingDown(), 0);
        });
    }

    /**
     * Stops at once (the deployment lost its lease): the action in progress ends FAILED with {@code why}, its calls and
     * timers are cut off, and nothing more is done or reported.
     */
    void stop(String why) {
        stopped = true;
        settling = null;
        Action a = current;
        if (a != null && !a.scope.closed()) {
            a.fail(why);
        }
    }

    private void settled() {
        if (settling == null || !ledger.unsettled.isEmpty()) {
            return;
        }
        Action a = settling;
        settling = null;
        a.succeed("every launcher call has answered or been given up");
        relaunch(ledger.preexistingDown(), 0);
    }

    // ------------------------------------------------------------------------------------------------ old targets

    private void relaunch(List<String> order, int k) {
        if (k == order.size()) {
            restoreRouting();
            return;
        }
        Target old = ledger.known.get(order.get(k));
        Runnable next = () -> relaunch(order, k + 1);
        switch (ledger.life(old.id())) {
            case STOPPING -> {
                ledger.leftovers.add("target " + RunContext.describe(old) + " may be stopping: its retire was cut off and"
                        + " never returned; traffic goes back to it: check that it runs, or start it by hand");
                next.run();
            }
            case MAYBE_STOPPED -> {
                Action a = new Action("retire " + old.id() + " again before relaunching it (its retire failed or was cut off)");
                Duration grace = ctx.cfg.rollbackGrace();
                String key = ctx.outcomes().retiring(old);
                a.call(ctx.launcherLane, "launcher.retire(" + old.id() + ")", Durations.plus(ctx.cfg.stepDeadline(), grace),
                        () -> {
                            ctx.retire(old, grace);
                            return Boolean.TRUE;
                        }, (ok, err) -> {
                            if (err != null) {
                                a.fail("could not retire " + old.id() + ": " + Texts.message(err));
                                ledger.leftovers.add("target " + RunContext.describe(old) + " may be stopped (its retire"
                                        + " failed: " + Texts.message(err) + "); traffic goes back to it: check it");
                                next.run();
                            } else {
                                a.succeed("retired " + old.id());
                                relaunchOne(old, next);
                            }
                        }, s -> ctx.outcomes().retireSettled(key, old, s));
            }
            case STOPPED -> relaunchOne(old, next);
            case RUNNING -> next.run();
        }
    }

    private void relaunchOne(Target old, Runnable next) {
        Action a = new Action("relaunch " + old.id() + " (" + old.version() + ")");
        LaunchRequest req = new LaunchRequest(ctx.spec.service(), old.id(), old.version(), old.attributes());
        a.call(ctx.launcherLane, "launcher.launch", ctx.cfg.stepDeadline(), () -> ctx.launch(req), (t, err) -> {
            if (err != null || t == null || !t.id().equals(old.id())) {
                String said = err != null ? Texts.message(err) : t == null ? "no target returned" : "returned id " + t.id();
                a.fail("could not relaunch " + old.id() + ": " + said);
                ledger.leftovers.add("target " + RunContext.describe(old) + " was retired and could not be relaunched"
                        + " (launcher said: " + said + "): start it by hand");
                next.run();
                return;
            }
            replaced.put(old.id(), t);
            ledger.known.put(t.id(), t);
            ledger.life.remove(t.id());
            if (ctx.cfg.probe() == null) {
                a.succeed("relaunched as " + t + " (no probe: not awaited)");
                next.run();
                return;
            }
            new HealthGate(ctx, a.scope, List.of(t), -1, ok -> {
                a.succeed("relaunched as " + t + "; " + ok);
                next.run();
            }, bad -> {
                a.fail("relaunched as " + t + " but " + bad);
                ledger.leftovers.add("target " + RunContext.describe(t) + " was relaunched but is not healthy (" + bad
                        + "): check it");
                next.run();
            }).start();
        });
    }

    // ------------------------------------------------------------------------------------------------ routing

    private void restoreRouting() {
        if (!ledger.routerTouched && replaced.isEmpty()) {
            new Action("restore routing").succeed("nothing to restore: this deployment never changed the router");
            retireLaunched(true);
            return;
        }
        Routing desired = ledger.routingBefore;
        if (!replaced.isEmpty()) {
            List<Route> routes = new ArrayList<>(desired.routes().size());
            for (Route r : desired.routes()) {
                Target t = replaced.get(r.target().id());
                routes.add(t == null ? r : new Route(t, r.weight(), r.state()));
            }
            desired = new Routing(routes, desired.stickiness(), desired.rules());
        }
        ledger.routerTouched = true;
        Routing full = desired;
        dev.zdd.core.GradualRollback pace = ctx.cfg.gradualRollback();
        List<Routing> steps = pace == null ? List.of() : GradualRestore.between(ledger.lastApplied, full, pace.steps());
        stepBack(steps, 0, full);
    }

    /** Applies the intermediate tables of a gradual rollback one by one, then restores {@code full} exactly. */
    private void stepBack(List<Routing> steps, int k, Routing full) {
        if (k == steps.size()) {
            restoreAttempt(new Action("restore routing"), full, 1, new ArrayList<>());
            return;
        }
        Routing table = steps.get(k);
        Action a = new Action("step back " + (k + 1) + "/" + (steps.size() + 1));
        a.call(ctx.routerLane, "router.apply", ctx.cfg.stepDeadline(), () -> {
            ctx.cfg.router().apply(table);
            return Boolean.TRUE;
        }, (ok, err) -> {
            if (err != null) {
                if (err instanceof CallDeadline) {
                    cutOffStepBack = a.name; // anything cut off may have happened, and may still land
                }
                a.fail("stepping back failed (" + Texts.message(err) + "): restoring the routing at once");
                restoreAttempt(new Action("restore routing"), full, 1, new ArrayList<>());
                return;
            }
            ledger.lastApplied = table;
            ctx.journal.write(x -> x.withRoutingApplied(table, ctx.now()));
            ctx.events.emit(new DeploymentEvent.RoutingApplied(ctx.id, ctx.now(), -1, a.name, table));
            Duration wait = ctx.cfg.gradualRollback().interval();
            ctx.calls.timer(a.scope, wait, () -> {
                a.succeed("applied " + table + ", then waited " + Texts.duration(wait));
                stepBack(steps, k + 1, full);
            });
        });
    }

    private void restoreAttempt(Action a, Routing desired, int attempt, List<String> problems) {
        a.call(ctx.routerLane, "router.apply", ctx.cfg.stepDeadline(), () -> {
            ctx.apply(desired);
            return Boolean.TRUE;
        }, (ok, err) -> {
            if (err != null) {
                retryRestore(a, desired, attempt, problems, Texts.message(err));
                return;
            }
            ledger.lastApplied = desired;
            a.call(ctx.routerLane, "router.current", ctx.cfg.stepDeadline(), () -> ctx.cfg.router().current(), (now, err2) -> {
                if (err2 != null) {
                    retryRestore(a, desired, attempt, problems, "reading back failed: " + Texts.message(err2));
                } else if (now == null || !desired.sameTrafficAs(now, ctx.cfg.router().capabilities().maxWeight())) {
                    retryRestore(a, desired, attempt, problems, "router reports " + Texts.routing(now));
                } else {
                    ctx.journal.write(x -> x.withRoutingApplied(desired, ctx.now()));
                    ctx.events.emit(new DeploymentEvent.RoutingApplied(ctx.id, ctx.now(), -1, a.name, desired));
                    a.succeed("traffic restored to the routing read before the deployment"
                            + (attempt > 1 ? " at attempt " + attempt + " (" + String.join("; ", problems) + ")" : ""));
                    retireLaunched(true);
                }
            });
        });
    }

    private void retryRestore(Action a, Routing desired, int attempt, List<String> problems, String problem) {
        problems.add("attempt " + attempt + ": " + problem);
        if (attempt <= ctx.cfg.rollbackRetries()) {
            Duration backoff = ctx.cfg.rollbackBackoff().multipliedBy(1L << Math.min(20, attempt - 1));
            LOG.warn("deployment {}: restoring traffic failed ({}), retrying in {}", ctx.id,
                    Texts.brief(problem, RunContext.BRIEF), Texts.duration(backoff));
            ctx.calls.timer(a.scope, backoff, () -> restoreAttempt(a, desired, attempt + 1, problems));
            return;
        }
        a.fail("traffic not restored after " + attempt + " attempts: " + String.join("; ", problems));
        ledger.leftovers.add("traffic not restored (router said: " + problem + "): apply " + desired + " by hand");
        retireLaunched(false);
    }

    // ------------------------------------------------------------------------------------------------ launched

    private void retireLaunched(boolean restored) {
        trafficRestored = restored;
        List<Target> toRetire = new ArrayList<>();
        for (Target t : ledger.launchedAlive()) {
            if (retireTried.add(t.id())) {
                toRetire.add(t);
            }
        }
        if (toRetire.isEmpty()) {
            end();
            return;
        }
        if (restored && cutOffStepBack != null && ledger.strayRouterCalls.keySet().stream()
                .anyMatch(k -> k.contains(cutOffStepBack))) {
            // an intermediate table of the gradual rollback, which sends traffic to these targets, may still land
            for (Target t : toRetire) {
                ledger.leftovers.add("target " + RunContext.describe(t) + " still running: not retired because the"
                        + " router call of '" + cutOffStepBack + "' was cut off and may still send traffic to it;"
                        + " check the router, then stop it");
            }
            end();
            return;
        }
        if (!restored) {
            for (Target t : toRetire) {
                ledger.leftovers.add("target " + RunContext.describe(t) + " still running: not retired because traffic"
                        + " was not restored; stop it once traffic is restored");
            }
            end();
            return;
        }
        if (!(ctx.cfg.router() instanceof dev.zdd.api.ConnectionStats)) {
            retire(toRetire);
            return;
        }
        // requests already on their way to a launched target (chosen before the restore) end before it stops
        List<String> ids = toRetire.stream().map(Target::id).toList();
        Action d = new Action("drain launched " + Texts.brief(String.join(", ", ids), RunContext.BRIEF));
        new DrainWatch(ctx, d.scope, ids, ctx.cfg.rollbackGrace(), "in " + d.name, detail -> {
            d.succeed(detail);
            retire(toRetire);
        }).start();
    }

    private void retire(List<Target> toRetire) {
        StringJoiner ids = new StringJoiner(", ");
        toRetire.forEach(t -> ids.add(t.id()));
        Action a = new Action("retire launched " + Texts.brief(ids.toString(), RunContext.BRIEF));
        Duration grace = ctx.cfg.rollbackGrace();
        List<String> failures = new ArrayList<>();
        int[] pending = {toRetire.size()};
        for (Target t : toRetire) {
            String key = ctx.outcomes().retiring(t);
            a.call(ctx.launcherLane, "launcher.retire(" + t.id() + ")", Durations.plus(ctx.cfg.stepDeadline(), grace), () -> {
                ctx.retire(t, grace);
                return Boolean.TRUE;
            }, (ok, err) -> {
                if (err != null) {
                    failures.add(t.id() + ": " + Texts.message(err));
                    ledger.leftovers.add("target " + RunContext.describe(t) + " still running (launcher said: "
                            + Texts.message(err) + "): stop it");
                }
                if (--pending[0] == 0) {
                    if (failures.isEmpty()) {
                        a.succeed("retired " + Texts.brief(ids.toString(), RunContext.BRIEF));
                    } else {
                        a.fail("could not retire " + Texts.brief(String.join("; ", failures), RunContext.BRIEF * 2));
                    }
                    end();
                }
            }, s -> ctx.outcomes().retireSettled(key, t, s));
        }
    }

    private void end() {
        for (Target t : ledger.launchedAlive()) {
            if (!retireTried.contains(t.id())) {
                // a launch in doubt answered while the rollback was retiring the others: retire it too
                retireLaunched(trafficRestored);
                return;
            }
        }
        if (!ledger.launchesInDoubt.isEmpty() && !inventoryAsked
                && ctx.cfg.launcher() instanceof dev.zdd.api.TargetInventory inventory) {
            inventoryAsked = true;
            askInventory(inventory);
            return;
        }
        for (Map.Entry<String, Ledger.LaunchDoubt> d : ledger.launchesInDoubt.entrySet()) {
            ledger.leftovers.add("launch of " + d.getKey() + " (" + d.getValue().version() + ") "
                    + (d.getValue().callMayGoOn() ? "was cut off and never answered" : "was interrupted by a crash")
                    + (inventoryAsked ? " and the launcher's inventory does not list it" : "")
                    + ": an instance may be running: find it and stop it");
        }
        ledger.launchesInDoubt.clear();
        done.rolledBack(ledger.leftovers.isEmpty() ? DeploymentStatus.ROLLED_BACK : DeploymentStatus.FAILED);
    }

    /**
     * Asks the launcher's inventory for the instances of launches in doubt: one found is recorded as launched (and so
     * retired); one not found stays a leftover (not listed is not proof that nothing runs: the launcher may have been
     * killed between starting a process and recording it, or the call may still go on), unless the inventory
     * {@linkplain dev.zdd.api.TargetInventory#recordsBeforeStarting() records every launch before starting it} and the
     * call cannot go on: then nothing of it runs.
     */
    private void askInventory(dev.zdd.api.TargetInventory inventory) {
        Action a = new Action("look for " + String.join(", ", ledger.launchesInDoubt.keySet())
                + " in the launcher's inventory (their launch never answered)");
        a.call(ctx.launcherLane, "launcher.discover", ctx.cfg.stepDeadline(), () -> inventory.discover(ctx.spec.service()),
                (found, err) -> {
                    if (err != null || found == null) {
                        a.fail("could not read the inventory: " + (err == null ? "no answer" : Texts.message(err)));
                        end();
                        return;
                    }
                    List<String> seen = new ArrayList<>();
                    for (Target t : found) {
                        if (ledger.launchesInDoubt.remove(t.id()) != null) {
                            seen.add(t.id());
                            if (ledger.launched(t)) {
                                ctx.journal.write(x -> x.withLaunched(t, ctx.now()));
                            }
                        }
                    }
                    String notListed = "none of them is listed";
                    if (inventory.recordsBeforeStarting()) {
                        // every launch is recorded before it starts anything: not listed means it never started (or
                        // has exited); a call that may still go on in this process stays in doubt
                        ledger.launchesInDoubt.values().removeIf(d -> !d.callMayGoOn());
                        notListed = "none of them runs (the launcher records every launch before starting it)";
                    }
                    // otherwise not listed is not proof: a launcher may have started a process and died before recording it
                    a.succeed(seen.isEmpty() ? notListed : "found " + String.join(", ", seen) + ": retiring");
                    end();
                });
    }

    /** One rollback action, recorded as a step outcome with index -1. */
    private final class Action {
        final String name;
        final Scope scope = new Scope();
        final Instant started = ctx.now();

        /** Made after {@link #stop}: cut off before it starts, reports nothing. */
        final boolean silent = stopped;

        Action(String what) {
            this.name = "rollback: " + what;
            if (silent) {
                scope.close();
                return;
            }
            current = this;
            LOG.info("deployment {}: {}", ctx.id, name); // the rollback itself is a WARN; its steps are progress
            ctx.events.emit(new DeploymentEvent.StepStarted(ctx.id, started, -1, name));
        }

        void succeed(String detail) {
            end(Outcome.SUCCEEDED, detail);
            LOG.info("deployment {}: {} succeeded: {}", ctx.id, name, Texts.brief(detail, RunContext.BRIEF));
        }

        void fail(String why) {
            end(Outcome.FAILED, why);
            LOG.warn("deployment {}: {} failed: {}", ctx.id, name, Texts.brief(why, RunContext.BRIEF));
        }

        private void end(Outcome o, String detail) {
            if (silent) {
                return;
            }
            scope.close();
            Instant now = ctx.now();
            ledger.outcomes.add(new StepOutcome(-1, name, o, started, now, detail));
            ctx.events.emit(new DeploymentEvent.StepEnded(ctx.id, now, -1, name, o, detail));
        }

        <T> void call(Lane lane, String what, Duration deadline, Callable<T> body, BiConsumer<T, Throwable> then) {
            ctx.calls.call(scope, lane, what + " in " + name, deadline, body, then);
        }

        <T> void call(Lane lane, String what, Duration deadline, Callable<T> body, BiConsumer<T, Throwable> then,
                      java.util.function.Consumer<Calls.Settled<T>> settled) {
            ctx.calls.call(scope, lane, what + " in " + name, deadline, body, then, settled);
        }
    }
}
