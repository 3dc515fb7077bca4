package dev.zdd.core.internal;

import dev.zdd.api.Cancellable;
import dev.zdd.api.CheckResult;
import dev.zdd.api.Clock;
import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentEvent.Type;
import dev.zdd.api.DeploymentHook;
import dev.zdd.api.DeploymentListener;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.HealthResult;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.Target;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.RecoveryMode;
import dev.zdd.core.lock.DeploymentLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One running deployment: the engine's asynchronous state machine and the {@link Deployment} handle users hold.
 *
 * <p>All state changes happen inside one {@link Actor}: timers (on the {@code Scheduler}), answers of blocking calls
 * (run on the {@code Executor}, each bounded by a deadline timer) and handle commands are posted to it, so they never
 * run concurrently and need no locks. Router calls go through this deployment's router {@link Lane} (one at a time, even
 * after a deadline: the rollback's restore waits, bounded, for a call that outlived its deadline) and launcher calls
 * through its launcher lane (at most {@value #LAUNCHER_CALLS} at once). Nothing here sleeps or blocks. {@link #status()} and {@link #result()} read
 * volatile fields; every handle method is thread-safe. Internal: users see it as a {@link Deployment}.
 */
public final class DeploymentRun extends DeploymentHandle {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final int BRIEF = 400;
    /** Most launcher calls one deployment makes at once; further ones wait in its launcher lane. */
    static final int LAUNCHER_CALLS = 16;

    private final EngineConfig cfg;
    private final String id;
    private final DeploymentSpec spec;
    private final Plan plan;
    private final Routing routingBefore;
    private final Actor actor;
    private final Clock clock;
    private final String[] stepNames;
    private volatile DeploymentStatus status = DeploymentStatus.PENDING;
    private final Lane routerLane;
    private final Lane launcherLane;

    // Everything below is confined to the actor.
    private Instant startedAt;
    private final Map<String, Target> known = new HashMap<>();
    private final Set<String> preexisting = new HashSet<>();
    private final List<Target> launched = new ArrayList<>();
    private final List<Target> retired = new ArrayList<>();
    private final Set<String> retiredIds = new HashSet<>();
    private final List<Target> retiredPreexisting = new ArrayList<>();
    private final List<String> launchesInDoubt = new ArrayList<>();
    private final List<StepOutcome> outcomes = new ArrayList<>();
    private final List<String> leftovers = new ArrayList<>();
    /** Router calls abandoned by the router lane: what, and whether they returned since. */
    private final Map<String, Boolean> strayRouterCalls = new java.util.LinkedHashMap<>();
    private Routing lastApplied;
    private boolean routerTouched;
    private Runner current;
    private int nextIndex;
    private boolean paused;
    private boolean waitingToStart;
    private boolean pastPointOfNoReturn;
    private boolean awaitingDecision;
    private boolean finishing;
    private String reason = "";
    // Crash safety (docs/reliability.md): journal, lock lease, recovery. Confined to the actor too.
    private final Reliability rel;
    private final JournalRecord recovered;
    private DeploymentLock.Lease lease;
    private JournalRecord record;
    private String journalFailure;
    private final List<String> journalProblems = new ArrayList<>();

    /**
     * A deployment of a validated plan; nothing happens until {@link #start()}.
     *
     * @param routingBefore the routing read from the router before planning
     */
    public DeploymentRun(EngineConfig cfg, DeploymentSpec spec, Plan plan, Routing routingBefore) {
        this(cfg, Reliability.NONE, spec, plan, routingBefore, null, null, null);
    }

    /**
     * A deployment of a validated plan with journal, lock lease and recovery; nothing happens until {@link #start()}.
     *
     * @param id        the id, or {@code null} for a new one
     * @param lease     the lock held for this deployment (released when it ends), or {@code null}
     * @param recovered the journal record of an interrupted deployment this run recovers, or {@code null}
     */
    public DeploymentRun(EngineConfig cfg, Reliability rel, DeploymentSpec spec, Plan plan, Routing routingBefore, String id,
                         DeploymentLock.Lease lease, JournalRecord recovered) {
        this.cfg = cfg;
        this.rel = rel;
        this.spec = spec;
        this.plan = plan;
        this.routingBefore = routingBefore;
        this.clock = cfg.scheduler().clock();
        this.id = id != null ? id : newId(clock, spec);
        this.lease = lease;
        this.recovered = recovered;
        this.actor = new Actor("deployment " + this.id);
        this.routerLane = new Lane("deployment " + this.id + ": router", cfg.laneExecutor(), 1, cfg.scheduler(),
                cfg.stepDeadline(), new Lane.Listener() {
                    @Override
                    public void abandoned(Lane.Ticket t) {
                        actor.post(() -> strayRouterCalls.put(t.what, Boolean.FALSE));
                    }

                    @Override
                    public void endedLate(Lane.Ticket t) {
                        actor.post(() -> strayRouterCalls.put(t.what, Boolean.TRUE));
                    }
                });
        this.launcherLane = new Lane("deployment " + this.id + ": launcher", cfg.laneExecutor(), LAUNCHER_CALLS,
                cfg.scheduler(), cfg.stepDeadline(), new Lane.Listener() {
                    @Override
                    public void abandoned(Lane.Ticket t) {
                        // what it means is already reported by the call's own failure (launch in doubt, retire failed)
                    }

                    @Override
                    public void endedLate(Lane.Ticket t) {
                    }
                });
        this.lastApplied = routingBefore;
        this.stepNames = new String[plan.steps().size()];
        for (int i = 0; i < stepNames.length; i++) {
            stepNames[i] = Texts.step(plan.steps().get(i));
        }
        for (Route r : routingBefore.routes()) {
            known.put(r.target().id(), r.target());
            preexisting.add(r.target().id());
        }
        for (Target t : spec.targets()) {
            known.putIfAbsent(t.id(), t);
            preexisting.add(t.id());
        }
        if (recovered != null) {
            restore(recovered);
        }
    }

    /** A new deployment id: service, version, start time and a sequence number. */
    public static String newId(Clock clock, DeploymentSpec spec) {
        return spec.service() + "-" + spec.version() + "-" + Long.toString(clock.now().toEpochMilli(), 36) + "-"
                + SEQUENCE.incrementAndGet();
    }

    /** Rebuilds what an interrupted deployment had done from its journal record. */
    private void restore(JournalRecord r) {
        pastPointOfNoReturn = r.pastPointOfNoReturn();
        lastApplied = r.routingApplied() != null ? r.routingApplied() : routingBefore;
        routerTouched = true; // a crash inside router.apply is not journaled: assume the router may have changed
        for (Target t : r.launched()) {
            known.put(t.id(), t);
            launched.add(t);
        }
        for (Target t : r.retired()) {
            markRetired(t);
        }
        if (r.stepRunning()) {
            Step s = plan.steps().get(r.completedSteps());
            if (s instanceof Step.Retire retire) {
                // interrupted while retiring: treat its targets as gone (a rollback relaunches old ones)
                for (String tid : retire.targetIds()) {
                    Target t = known.get(tid);
                    if (t != null) {
                        markRetired(t);
                    }
                }
            } else if (s instanceof Step.Launch launch && !known.containsKey(launch.targetId())) {
                launchesInDoubt.add(launch.targetId() + " (" + launch.version() + ", interrupted by the crash)");
            }
        }
        record = r;
    }

    // ------------------------------------------------------------------------------------------------ journal

    /**
     * Applies {@code change} to the journal record and writes it durably (no-op without a journal). A failed write in
     * the forward phase makes the current step fail (so the deployment rolls back while it still knows what it did);
     * during a rollback it is noted in the result and the rollback goes on.
     */
    private void journal(UnaryOperator<JournalRecord> change) {
        if (rel.journal() == null || record == null) {
            return;
        }
        record = change.apply(record);
        try {
            rel.journal().write(record);
        } catch (RuntimeException e) {
            String what = "journal write failed (" + Texts.message(e) + ")";
            LOG.warn("deployment {}: {}", id, what);
            if ((status == DeploymentStatus.RUNNING || status == DeploymentStatus.PAUSED) && !finishing) {
                if (journalFailure == null) {
                    journalFailure = what;
                }
            } else if (!journalProblems.contains(what)) {
                journalProblems.add(what);
            }
        }
    }

    /** Schedules the first step on the scheduler and returns at once. */
    public DeploymentRun start() {
        cfg.scheduler().schedule(Duration.ZERO, () -> actor.post(this::begin));
        return this;
    }

    // ------------------------------------------------------------------------------------------------ handle

    @Override
    public String id() {
        return id;
    }

    @Override
    public DeploymentStatus status() {
        return status;
    }

    @Override
    public void pause() {
        actor.post(() -> {
            if (status != DeploymentStatus.RUNNING || finishing) {
                return;
            }
            paused = true;
            status = DeploymentStatus.PAUSED;
            String what = current == null ? "paused between steps" : "paused during " + label(current.index)
                    + (current.pausable() ? ": its time stops counting" : ": it finishes, the next step waits");
            LOG.info("deployment {}: {}", id, what);
            emit(Type.PAUSED, current == null ? -1 : current.index, current == null ? "" : current.name, what);
            if (current != null) {
                current.onPause();
            }
        });
    }

    @Override
    public void resume() {
        actor.post(() -> {
            if (status != DeploymentStatus.PAUSED) {
                return;
            }
            paused = false;
            status = DeploymentStatus.RUNNING;
            LOG.info("deployment {}: resumed", id);
            if (awaitingDecision) {
                awaitingDecision = false;
                reason = "";
                journalFailure = null;
                journal(x -> x.withStatus(DeploymentStatus.RUNNING, "", clock.now()));
                emit(Type.RESUMED, nextIndex, stepNames[nextIndex], "resumed: retrying " + label(nextIndex));
                startStep(nextIndex);
            } else if (current != null) {
                emit(Type.RESUMED, current.index, current.name, "resumed");
                current.onResume();
            } else {
                emit(Type.RESUMED, -1, "", "resumed");
                if (waitingToStart) {
                    waitingToStart = false;
                    startStep(nextIndex);
                }
            }
        });
    }

    @Override
    public void promote() {
        actor.post(() -> {
            if (current == null || current.finished || !current.promotable()) {
                return;
            }
            LOG.info("deployment {}: promoted during {}", id, label(current.index));
            emit(Type.PROMOTED, current.index, current.name, "promoted");
            current.onPromote();
        });
    }

    @Override
    public void abort(String why) {
        String text = Texts.printable(why == null || why.isBlank() ? "no reason given" : why);
        actor.post(() -> {
            if (status.isTerminal() || status == DeploymentStatus.ROLLING_BACK || finishing) {
                return;
            }
            LOG.warn("deployment {}: abort requested: {}", id, text);
            if (current != null) {
                Runner c = current;
                c.finished = true;
                c.scope.close();
                current = null;
                outcomes.add(new StepOutcome(c.index, c.name, Outcome.SKIPPED, c.startedAt, clock.now(), "aborted: " + text));
                emit(Type.STEP_FAILED, c.index, c.name, "aborted: " + text);
            }
            rollback("aborted: " + text);
        });
    }

    // ------------------------------------------------------------------------------------------------ forward

    private void begin() {
        if (status != DeploymentStatus.PENDING) {
            return;
        }
        if (recovered != null) {
            beginRecovery();
            return;
        }
        startedAt = clock.now();
        status = DeploymentStatus.RUNNING;
        LOG.info("deployment {}: started {} of {} with {} steps", id, spec.version(), spec.service(), plan.steps().size());
        emit(Type.STARTED, -1, "", Texts.plan(plan, 50));
        if (rel.journal() != null) {
            record = JournalRecord.start(id, spec, plan, routingBefore, startedAt);
            journal(r -> r);
            if (journalFailure != null) {
                rollback("not started: " + journalFailure + "; nothing was changed");
                return;
            }
        }
        next(0);
    }

    /** Recovery of a deployment found interrupted in the journal: says what it found, then rolls back or resumes. */
    private void beginRecovery() {
        JournalRecord r = recovered;
        startedAt = r.startedAt();
        status = DeploymentStatus.RUNNING;
        int n = plan.steps().size();
        String found = "recovering deployment " + id + " found interrupted in the journal (its process died): "
                + r.summary();
        String action;
        if (r.completedSteps() == n && r.status() != DeploymentStatus.ROLLING_BACK) {
            action = "all its steps had completed: nothing to do";
        } else if (r.status() == DeploymentStatus.ROLLING_BACK) {
            action = "it was rolling back: finishing the rollback";
        } else if (rel.recovery() == RecoveryMode.RESUME) {
            action = "resuming at step " + (r.completedSteps() + 1) + "/" + n;
        } else if (r.pastPointOfNoReturn()) {
            action = "it had passed its point of no return: pausing for a person (resume() retries step "
                    + (r.completedSteps() + 1) + ", abort(reason) rolls back)";
        } else {
            action = "rolling back to the routing journaled before it";
        }
        String msg = found + "; " + action;
        LOG.warn("deployment {}: {}", id, Texts.brief(msg, BRIEF * 4));
        emit(Type.STARTED, -1, "", msg);
        if (r.completedSteps() == n && r.status() != DeploymentStatus.ROLLING_BACK) {
            reason = "recovered after a crash: " + action;
            finishing = true;
            finish(DeploymentStatus.SUCCEEDED);
        } else if (r.status() == DeploymentStatus.ROLLING_BACK) {
            rollback("recovered after a crash (" + r.summary() + "): finishing its rollback");
        } else if (rel.recovery() == RecoveryMode.RESUME) {
            journal(x -> x.withStatus(DeploymentStatus.RUNNING, "", clock.now()));
            next(r.completedSteps());
        } else if (r.pastPointOfNoReturn()) {
            awaitingDecision = true;
            paused = true;
            nextIndex = r.completedSteps();
            reason = "recovered after a crash past the point of no return (" + r.summary() + ")";
            status = DeploymentStatus.PAUSED;
            journal(x -> x.withStatus(DeploymentStatus.PAUSED, reason, clock.now()));
            emit(Type.PAUSED, nextIndex, stepNames[nextIndex], reason + "; resume() retries " + label(nextIndex)
                    + ", abort(reason) rolls back");
        } else {
            rollback("recovered after a crash (" + r.summary() + ")");
        }
    }

    private void next(int i) {
        if ((status != DeploymentStatus.RUNNING && status != DeploymentStatus.PAUSED) || current != null || finishing) {
            return;
        }
        if (i >= plan.steps().size()) {
            finishing = true;
            finish(DeploymentStatus.SUCCEEDED);
            return;
        }
        nextIndex = i;
        if (paused) {
            waitingToStart = true;
            return;
        }
        startStep(i);
    }

    private void startStep(int i) {
        journal(x -> x.stepStarted(i, clock.now()));
        if (journalFailure != null) {
            rollback("before " + label(i) + ": " + journalFailure + "; stopping while the deployment can still be undone");
            return;
        }
        Runner r = runnerFor(plan.steps().get(i), i);
        current = r;
        r.startedAt = clock.now();
        LOG.info("deployment {}: {} started", id, label(i));
        emit(Type.STEP_STARTED, i, r.name, "");
        r.start();
    }

    private String label(int i) {
        return "step " + (i + 1) + "/" + stepNames.length + " (" + stepNames[i] + ")";
    }

    private void stepEnded(Runner r, Outcome outcome, String detail) {
        if (!r.live()) {
            return;
        }
        if (journalFailure == null) {
            journal(x -> x.stepCompleted(r.index, clock.now()));
        }
        if (journalFailure != null) {
            stepFailed(r, journalFailure + "; stopping while the deployment can still be undone");
            return;
        }
        r.finished = true;
        r.scope.close();
        current = null;
        outcomes.add(new StepOutcome(r.index, r.name, outcome, r.startedAt, clock.now(), detail));
        LOG.info("deployment {}: {} {}: {}", id, label(r.index), outcome == Outcome.SKIPPED ? "ended early" : "succeeded",
                Texts.brief(detail, BRIEF));
        emit(Type.STEP_SUCCEEDED, r.index, r.name, detail);
        int following = r.index + 1;
        actor.post(() -> next(following));
    }

    private void stepFailed(Runner r, String why) {
        if (!r.live()) {
            return;
        }
        r.finished = true;
        r.scope.close();
        current = null;
        outcomes.add(new StepOutcome(r.index, r.name, Outcome.FAILED, r.startedAt, clock.now(), why));
        LOG.warn("deployment {}: {} failed: {}", id, label(r.index), Texts.brief(why, BRIEF));
        emit(Type.STEP_FAILED, r.index, r.name, why);
        if (pastPointOfNoReturn) {
            awaitingDecision = true;
            nextIndex = r.index;
            paused = true;
            reason = label(r.index) + " failed past the point of no return: " + why;
            status = DeploymentStatus.PAUSED;
            String msg = reason + "; resume() retries step " + (r.index + 1) + ", abort(reason) rolls back";
            journal(x -> x.withStatus(DeploymentStatus.PAUSED, reason, clock.now()));
            LOG.warn("deployment {}: {}", id, Texts.brief(msg, BRIEF));
            emit(Type.PAUSED, r.index, r.name, msg);
            return;
        }
        rollback(label(r.index) + " failed: " + why);
    }

    private Runner runnerFor(Step step, int i) {
        if (step instanceof Step.Launch s) {
            return new LaunchRunner(i, s);
        } else if (step instanceof Step.AwaitHealthy s) {
            return new AwaitHealthyRunner(i, s);
        } else if (step instanceof Step.ShiftTraffic s) {
            return new ShiftRunner(i, s);
        } else if (step instanceof Step.Pause s) {
            return new PauseRunner(i, s);
        } else if (step instanceof Step.Gate s) {
            return new GateRunner(i, s);
        } else if (step instanceof Step.Check s) {
            return new CheckRunner(i, s);
        } else if (step instanceof Step.Drain s) {
            return new DrainRunner(i, s);
        } else if (step instanceof Step.Retire s) {
            return new RetireRunner(i, s);
        } else if (step instanceof Step.Hook s) {
            return new HookRunner(i, s);
        } else if (step instanceof Step.PointOfNoReturn s) {
            return new PointOfNoReturnRunner(i, s);
        }
        throw new IllegalStateException("unknown step kind " + step.getClass().getName());
    }

    /** One step being executed. */
    private abstract class Runner {
        final int index;
        final String name;
        final Scope scope = new Scope();
        Instant startedAt;
        boolean finished;

        Runner(int index) {
            this.index = index;
            this.name = stepNames[index];
        }

        abstract void start();

        boolean live() {
            return current == this && !finished;
        }

        /** Whether pause() stops this step's clock. */
        boolean pausable() {
            return false;
        }

        boolean promotable() {
            return false;
        }

        void onPause() {
        }

        void onResume() {
        }

        void onPromote() {
        }

        final void succeed(String detail) {
            stepEnded(this, Outcome.SUCCEEDED, detail);
        }

        final void fail(String why) {
            stepFailed(this, why);
        }

        /** A call in {@code lane} (or straight on the executor when null) bounded by {@code deadline}, answered on the actor. */
        final <T> void call(Lane lane, String what, Duration deadline, Callable<T> body, BiConsumer<T, Throwable> then) {
            DeploymentRun.this.call(scope, lane, what + " in " + label(index), deadline,
                    "deadline of " + Texts.duration(deadline) + " exceeded in " + name + " (" + what + ")", body, then);
        }
    }

    private final class LaunchRunner extends Runner {
        private final Step.Launch step;

        LaunchRunner(int i, Step.Launch step) {
            super(i);
            this.step = step;
        }

        @Override
        void start() {
            LaunchRequest req = new LaunchRequest(spec.service(), step.targetId(), step.version(), step.attributes());
            call(launcherLane, "launcher.launch", cfg.stepDeadline(), () -> cfg.launcher().launch(req), (t, err) -> {
                if (err != null) {
                    if (err instanceof DeadlineExceeded) {
                        launchesInDoubt.add(step.targetId() + " (" + step.version() + ")");
                        fail(Texts.message(err));
                    } else {
                        fail("launch of " + step.targetId() + " failed: " + Texts.message(err));
                    }
                } else if (t == null) {
                    fail("launcher returned no target for " + step.targetId());
                } else if (!t.id().equals(step.targetId())) {
                    launched.add(t);
                    journal(x -> x.withLaunched(t, clock.now()));
                    fail("launcher returned target id '" + t.id() + "' for launch of '" + step.targetId() + "'");
                } else {
                    known.put(t.id(), t);
                    launched.add(t);
                    journal(x -> x.withLaunched(t, clock.now()));
                    succeed("launched " + t);
                }
            });
        }
    }

    private final class AwaitHealthyRunner extends Runner {
        private final Step.AwaitHealthy step;

        AwaitHealthyRunner(int i, Step.AwaitHealthy step) {
            super(i);
            this.step = step;
        }

        @Override
        void start() {
            List<Target> targets = new ArrayList<>(step.targetIds().size());
            for (String tid : step.targetIds()) {
                targets.add(known.get(tid));
            }
            new ProbeGroup(scope, targets, index, name, this::succeed, this::fail).start();
        }
    }

    private final class ShiftRunner extends Runner {
        private final Step.ShiftTraffic step;

        ShiftRunner(int i, Step.ShiftTraffic step) {
            super(i);
            this.step = step;
        }

        @Override
        void start() {
            List<Step.Allocation> allocations = step.allocations();
            List<Route> routes = new ArrayList<>(allocations.size());
            for (Step.Allocation a : allocations) {
                routes.add(new Route(known.get(a.targetId()), a.weight(), a.state()));
            }
            Routing routing = new Routing(routes, step.stickiness(), step.rules());
            routerTouched = true;
            call(routerLane, "router.apply", cfg.stepDeadline(), () -> {
                cfg.router().apply(routing);
                return Boolean.TRUE;
            }, (ok, err) -> {
                if (err != null) {
                    fail(err instanceof DeadlineExceeded ? Texts.message(err) : "router.apply failed: " + Texts.message(err));
                    return;
                }
                lastApplied = routing;
                journal(x -> x.withRoutingApplied(routing, clock.now()));
                emit(Type.ROUTING_APPLIED, index, name, Texts.routing(routing));
                call(routerLane, "router.current", cfg.stepDeadline(), () -> cfg.router().current(), (now, err2) -> {
                    if (err2 != null) {
                        fail(err2 instanceof DeadlineExceeded ? Texts.message(err2)
                                : "router.current failed after apply: " + Texts.message(err2));
                    } else if (!routing.sameTrafficAs(now)) {
                        fail("router drift: applied " + Texts.routing(routing) + ", router reports "
                                + Texts.routing(now));
                    } else {
                        succeed("applied " + Texts.routing(routing));
                    }
                });
            });
        }
    }

    /** A timer whose remaining time stops counting while the deployment is paused. */
    private abstract class WaitRunner extends Runner {
        private Duration remaining;
        private long armedAt;
        private Runnable timer;

        WaitRunner(int i, Duration total) {
            super(i);
            this.remaining = total;
        }

        abstract void elapsed();

        @Override
        void start() {
            if (!paused) {
                arm();
            }
        }

        private void arm() {
            armedAt = clock.nanoTime();
            timer = DeploymentRun.this.timer(scope, remaining, this::elapsed);
        }

        @Override
        boolean pausable() {
            return true;
        }

        @Override
        void onPause() {
            if (timer != null) {
                timer.run();
                scope.remove(timer);
                timer = null;
                remaining = remaining.minusNanos(clock.nanoTime() - armedAt);
                if (remaining.isNegative()) {
                    remaining = Duration.ZERO;
                }
            }
        }

        @Override
        void onResume() {
            if (timer == null) {
                arm();
            }
        }

        Duration waited() {
            return Duration.between(startedAt, clock.now());
        }
    }

    private final class PauseRunner extends WaitRunner {
        PauseRunner(int i, Step.Pause step) {
            super(i, step.duration());
        }

        @Override
        void elapsed() {
            succeed("paused " + Texts.duration(waited()));
        }

        @Override
        boolean promotable() {
            return true;
        }

        @Override
        void onPromote() {
            stepEnded(this, Outcome.SKIPPED, "ended early by promote after " + Texts.duration(waited()));
        }
    }

    private final class GateRunner extends WaitRunner {
        private final Step.Gate step;

        GateRunner(int i, Step.Gate step) {
            super(i, step.timeout());
            this.step = step;
        }

        @Override
        void start() {
            LOG.info("deployment {}: waiting at manual gate '{}' for promote() (rolls back after {})", id, step.name(),
                    Texts.duration(step.timeout()));
            super.start();
        }

        @Override
        void elapsed() {
            fail("gate '" + step.name() + "' was not promoted within " + Texts.duration(step.timeout()));
        }

        @Override
        boolean promotable() {
            return true;
        }

        @Override
        void onPromote() {
            succeed("gate '" + step.name() + "' promoted after " + Texts.duration(waited()));
        }
    }

    private final class CheckRunner extends Runner {
        private final Step.Check step;

        CheckRunner(int i, Step.Check step) {
            super(i);
            this.step = step;
        }

        @Override
        void start() {
            DeploymentCheck check = cfg.checks().get(step.name());
            DeploymentContext context = context();
            call(null, "check '" + step.name() + "'", cfg.stepDeadline(), () -> check.check(context), (r, err) -> {
                String text;
                if (err != null) {
                    text = err instanceof DeadlineExceeded ? Texts.message(err)
                            : "check '" + step.name() + "' threw: " + Texts.message(err);
                    emit(Type.CHECK_RESULT, index, name, text);
                    fail(text);
                    return;
                }
                if (r == null) {
                    text = "check '" + step.name() + "' returned no result";
                    emit(Type.CHECK_RESULT, index, name, text);
                    fail(text);
                    return;
                }
                text = "check '" + step.name() + "': " + r.verdict() + (r.detail().isEmpty() ? "" : " - " + r.detail())
                        + (r.measurements().isEmpty() ? "" : " " + r.measurements());
                LOG.info("deployment {}: {}", id, text);
                emit(Type.CHECK_RESULT, index, name, text);
                if (r.verdict() == CheckResult.Verdict.PASS) {
                    succeed(text);
                } else if (r.verdict() == CheckResult.Verdict.INCONCLUSIVE && cfg.inconclusiveAsPass()) {
                    succeed(text + " (inconclusive counts as a pass)");
                } else {
                    fail(text);
                }
            });
        }
    }

    private final class DrainRunner extends Runner {
        private final Step.Drain step;
        private long endNanos;
        private String lastProblem = "";
        private int polls;

        DrainRunner(int i, Step.Drain step) {
            super(i);
            this.step = step;
        }

        @Override
        void start() {
            endNanos = clock.nanoTime() + SystemScheduler.saturatedNanos(step.timeout());
            if (!(cfg.router() instanceof ConnectionStats)) {
                String detail = cfg.routerName() + " cannot count connections: waited the whole timeout of "
                        + Texts.duration(step.timeout());
                if (step.timeout().isZero()) {
                    succeed(detail);
                } else {
                    DeploymentRun.this.timer(scope, step.timeout(), () -> succeed(detail));
                }
                return;
            }
            poll();
        }

        private void poll() {
            ConnectionStats stats = (ConnectionStats) cfg.router();
            Duration bound = Duration.ofNanos(Math.max(0, endNanos - clock.nanoTime())).plus(cfg.drainPoll());
            if (bound.compareTo(cfg.stepDeadline()) > 0) {
                bound = cfg.stepDeadline();
            }
            polls++;
            call(routerLane, "activeConnections", bound, stats::activeConnections, (counts, err) -> {
                if (err != null || counts == null) {
                    lastProblem = "could not read connections: " + (err == null ? "no answer" : Texts.message(err));
                } else {
                    StringJoiner open = new StringJoiner(", ");
                    for (String tid : step.targetIds()) {
                        Integer n = counts.get(tid);
                        if (n != null && n > 0) {
                            open.add(tid + "=" + n);
                        }
                    }
                    if (open.length() == 0) {
                        succeed("drained: no open connections after " + Texts.duration(Duration.between(startedAt,
                                clock.now())) + " (" + polls + (polls == 1 ? " poll)" : " polls)"));
                        return;
                    }
                    lastProblem = "still open: " + open;
                }
                long left = endNanos - clock.nanoTime();
                if (left <= 0) {
                    succeed("drain timeout of " + Texts.duration(step.timeout()) + " passed; " + lastProblem);
                    return;
                }
                Duration wait = cfg.drainPoll();
                if (wait.toNanos() > left) {
                    wait = Duration.ofNanos(left);
                }
                DeploymentRun.this.timer(scope, wait, this::poll);
            });
        }
    }

    private final class RetireRunner extends Runner {
        private final Step.Retire step;

        RetireRunner(int i, Step.Retire step) {
            super(i);
            this.step = step;
        }

        @Override
        void start() {
            if (cfg.launcher() == null) {
                succeed("no launcher: left running " + Texts.brief(String.join(", ", step.targetIds()), BRIEF));
                return;
            }
            List<String> failures = new ArrayList<>();
            int[] pending = {step.targetIds().size()};
            Duration grace = step.grace();
            for (String tid : step.targetIds()) {
                Target t = known.get(tid);
                call(launcherLane, "launcher.retire(" + tid + ")", cfg.stepDeadline().plus(grace), () -> {
                    cfg.launcher().retire(t, grace);
                    return Boolean.TRUE;
                }, (ok, err) -> {
                    if (err == null) {
                        markRetired(t);
                    } else {
                        failures.add(tid + ": " + Texts.message(err));
                    }
                    if (--pending[0] == 0) {
                        if (failures.isEmpty()) {
                            succeed("retired " + Texts.brief(String.join(", ", step.targetIds()), BRIEF));
                        } else {
                            fail("could not retire " + Texts.brief(String.join("; ", failures), BRIEF * 2));
                        }
                    }
                });
            }
        }
    }

    private final class HookRunner extends Runner {
        private final Step.Hook step;

        HookRunner(int i, Step.Hook step) {
            super(i);
            this.step = step;
        }

        @Override
        void start() {
            DeploymentHook hook = cfg.hooks().get(step.name());
            DeploymentContext context = context();
            call(null, "hook '" + step.name() + "'", cfg.stepDeadline(), () -> {
                hook.run(context);
                return Boolean.TRUE;
            }, (ok, err) -> {
                if (err == null) {
                    succeed("hook '" + step.name() + "' ran");
                } else {
                    fail(err instanceof DeadlineExceeded ? Texts.message(err)
                            : "hook '" + step.name() + "' vetoed the deployment: " + Texts.message(err));
                }
            });
        }
    }

    private final class PointOfNoReturnRunner extends Runner {
        private final Step.PointOfNoReturn step;

        PointOfNoReturnRunner(int i, Step.PointOfNoReturn step) {
            super(i);
            this.step = step;
        }

        @Override
        void start() {
            pastPointOfNoReturn = true;
            journal(x -> x.withPointOfNoReturnPassed(clock.now()));
            succeed("past the point of no return (" + step.reason() + "): a failure from here on pauses for a person");
        }
    }

    private void markRetired(Target t) {
        if (retiredIds.add(t.id())) {
            retired.add(t);
            if (preexisting.contains(t.id())) {
                retiredPreexisting.add(t);
            }
            if (record != null && record.retired().stream().noneMatch(x -> x.id().equals(t.id()))) {
                journal(x -> x.withRetired(t, clock.now()));
            }
        }
    }

    private DeploymentContext context() {
        List<Target> fresh = new ArrayList<>(spec.targets());
        for (Target t : launched) {
            if (!retiredIds.contains(t.id()) && t.version().equals(spec.version())) {
                fresh.add(t);
            }
        }
        return new DeploymentContext(id, spec.service(), spec.version(), lastApplied, fresh, routingBefore.targets(), clock);
    }

    // ------------------------------------------------------------------------------------------------ probing

    /** Probes targets in parallel under the probe policy; answers once: all healthy, or the first failure. */
    private final class ProbeGroup {
        private final Scope scope;
        private final List<Target> targets;
        private final int eventIndex;
        private final String stepName;
        private final Consumer<String> ok;
        private final Consumer<String> failed;
        private final ProbePolicy policy = cfg.probePolicy();
        private final List<TargetProbe> probes = new ArrayList<>();
        private long firstAttemptNanos;
        private int remaining;
        private boolean done;

        ProbeGroup(Scope scope, List<Target> targets, int eventIndex, String stepName, Consumer<String> ok,
                   Consumer<String> failed) {
            this.scope = scope;
            this.targets = targets;
            this.eventIndex = eventIndex;
            this.stepName = stepName;
            this.ok = ok;
            this.failed = failed;
        }

        void start() {
            remaining = targets.size();
            firstAttemptNanos = clock.nanoTime() + SystemScheduler.saturatedNanos(policy.initialDelay());
            for (Target t : targets) {
                TargetProbe tp = new TargetProbe(t);
                probes.add(tp);
                timer(scope, policy.initialDelay(), () -> attempt(tp));
            }
            timer(scope, policy.initialDelay().plus(policy.deadline()), this::deadline);
        }

        private void attempt(TargetProbe tp) {
            if (done || scope.closed()) {
                return;
            }
            long began = clock.nanoTime();
            tp.attempts++;
            Duration timeout = policy.timeout();
            call(scope, null, "probe of " + tp.target.id(), timeout, "timed out after " + Texts.duration(timeout),
                    () -> cfg.probe().check(tp.target, timeout), (r, err) -> answer(tp, began, r, err));
        }

        private void answer(TargetProbe tp, long began, HealthResult r, Throwable err) {
            if (done) {
                return;
            }
            HealthResult res = err != null ? HealthResult.unhealthy(Texts.message(err))
                    : r == null ? HealthResult.unknown("probe returned no result") : r;
            emit(Type.PROBE_RESULT, eventIndex, stepName, tp.target.id() + ": " + res.status()
                    + (res.reason().isEmpty() ? "" : " (" + res.reason() + ")"));
            switch (res.status()) {
                case HEALTHY -> {
                    tp.successes++;
                    tp.failures = 0;
                    tp.seenHealthy = true;
                    if (tp.successes >= policy.successThreshold()) {
                        tp.healthy = true;
                        if (--remaining == 0) {
                            done = true;
                            ok.accept(summary());
                        }
                        return;
                    }
                }
                case UNHEALTHY -> {
                    tp.successes = 0;
                    tp.remember(res.reason().isEmpty() ? "unhealthy" : res.reason());
                    boolean counts = tp.seenHealthy || clock.nanoTime() - firstAttemptNanos
                            >= SystemScheduler.saturatedNanos(policy.startupGrace());
                    if (counts) {
                        tp.failures++;
                    }
                    if (tp.failures >= policy.failureThreshold()) {
                        done = true;
                        failed.accept("target " + tp.target.id() + " failed its health checks: " + tp.failures
                                + " consecutive UNHEALTHY answers (last: " + tp.reasons() + ")");
                        return;
                    }
                }
                default -> tp.remember("unknown" + (res.reason().isEmpty() ? "" : ": " + res.reason()));
            }
            long wait = SystemScheduler.saturatedNanos(policy.period()) - (clock.nanoTime() - began);
            timer(scope, Duration.ofNanos(Math.max(0, wait)), () -> attempt(tp));
        }

        private void deadline() {
            if (done) {
                return;
            }
            done = true;
            StringJoiner bad = new StringJoiner("; ");
            int listed = 0;
            int notHealthy = 0;
            for (TargetProbe tp : probes) {
                if (!tp.healthy) {
                    notHealthy++;
                    if (listed++ < 10) {
                        bad.add(tp.target.id() + " after " + tp.attempts + (tp.attempts == 1 ? " attempt" : " attempts")
                                + (tp.lastReasons.isEmpty() ? "" : " (last: " + tp.reasons() + ")"));
                    }
                }
            }
            failed.accept(notHealthy + " of " + probes.size() + " targets not healthy within "
                    + Texts.duration(policy.deadline()) + ": " + bad + (notHealthy > 10 ? "; ..." : ""));
        }

        private String summary() {
            if (probes.size() > 10) {
                return "all " + probes.size() + " targets healthy";
            }
            StringJoiner sj = new StringJoiner(", ", "healthy: ", "");
            for (TargetProbe tp : probes) {
                sj.add(tp.target.id() + " (" + tp.attempts + (tp.attempts == 1 ? " attempt)" : " attempts)"));
            }
            return sj.toString();
        }
    }

    /** Probe state of one target. */
    private static final class TargetProbe {
        final Target target;
        final ArrayDeque<String> lastReasons = new ArrayDeque<>(3);
        int successes;
        int failures;
        int attempts;
        boolean seenHealthy;
        boolean healthy;

        TargetProbe(Target target) {
            this.target = target;
        }

        void remember(String reason) {
            if (lastReasons.size() == 3) {
                lastReasons.removeFirst();
            }
            lastReasons.addLast(reason);
        }

        String reasons() {
            return String.join("; ", lastReasons);
        }
    }

    // ------------------------------------------------------------------------------------------------ rollback

    /** One rollback action, recorded as a step outcome with index -1. */
    private final class RollbackAction {
        final String name;
        final Scope scope = new Scope();
        final Instant started = clock.now();

        RollbackAction(String what) {
            this.name = "rollback: " + what;
            LOG.warn("deployment {}: {}", id, name);
            emit(Type.STEP_STARTED, -1, name, "");
        }

        void succeed(String detail) {
            scope.close();
            outcomes.add(new StepOutcome(-1, name, Outcome.SUCCEEDED, started, clock.now(), detail));
            LOG.info("deployment {}: {} succeeded: {}", id, name, Texts.brief(detail, BRIEF));
            emit(Type.STEP_SUCCEEDED, -1, name, detail);
        }

        void fail(String why) {
            scope.close();
            outcomes.add(new StepOutcome(-1, name, Outcome.FAILED, started, clock.now(), why));
            LOG.warn("deployment {}: {} failed: {}", id, name, Texts.brief(why, BRIEF));
            emit(Type.STEP_FAILED, -1, name, why);
        }

        <T> void call(Lane lane, String what, Duration deadline, Callable<T> body, BiConsumer<T, Throwable> then) {
            DeploymentRun.this.call(scope, lane, what + " in " + name, deadline,
                    "deadline of " + Texts.duration(deadline) + " exceeded in " + name + " (" + what + ")", body, then);
        }
    }

    private void rollback(String why) {
        reason = why;
        status = DeploymentStatus.ROLLING_BACK;
        paused = false;
        awaitingDecision = false;
        waitingToStart = false;
        if (startedAt == null) {
            startedAt = clock.now();
        }
        LOG.warn("deployment {}: rolling back: {}", id, Texts.brief(why, BRIEF));
        journal(x -> x.withStatus(DeploymentStatus.ROLLING_BACK, why, clock.now()));
        emit(Type.ROLLBACK_STARTED, -1, "", why);
        List<Target> order = new ArrayList<>(retiredPreexisting);
        Collections.reverse(order);
        relaunch(order, 0, new HashMap<>());
    }

    private void relaunch(List<Target> order, int k, Map<String, Target> replaced) {
        if (k == order.size()) {
            restoreRouting(replaced);
            return;
        }
        Target old = order.get(k);
        RollbackAction a = new RollbackAction("relaunch " + old.id() + " (" + old.version() + ")");
        LaunchRequest req = new LaunchRequest(spec.service(), old.id(), old.version(), old.attributes());
        a.call(launcherLane, "launcher.launch", cfg.stepDeadline(), () -> cfg.launcher().launch(req), (t, err) -> {
            if (err != null || t == null || !t.id().equals(old.id())) {
                String said = err != null ? Texts.message(err) : t == null ? "no target returned" : "returned id " + t.id();
                a.fail("could not relaunch " + old.id() + ": " + said);
                leftovers.add("target " + describe(old) + " was retired and could not be relaunched (launcher said: "
                        + said + "): start it by hand");
                relaunch(order, k + 1, replaced);
                return;
            }
            replaced.put(old.id(), t);
            known.put(t.id(), t);
            if (cfg.probe() == null) {
                a.succeed("relaunched as " + t + " (no probe: not awaited)");
                relaunch(order, k + 1, replaced);
                return;
            }
            new ProbeGroup(a.scope, List.of(t), -1, a.name, ok -> {
                a.succeed("relaunched as " + t + "; " + ok);
                relaunch(order, k + 1, replaced);
            }, bad -> {
                a.fail("relaunched as " + t + " but " + bad);
                leftovers.add("target " + describe(t) + " was relaunched but is not healthy (" + bad + "): check it");
                relaunch(order, k + 1, replaced);
            }).start();
        });
    }

    private void restoreRouting(Map<String, Target> replaced) {
        if (!routerTouched && replaced.isEmpty()) {
            RollbackAction a = new RollbackAction("restore routing");
            a.succeed("nothing to restore: this deployment never changed the router");
            retireLaunched(true);
            return;
        }
        Routing desired = routingBefore;
        if (!replaced.isEmpty()) {
            List<Route> routes = new ArrayList<>(routingBefore.routes().size());
            for (Route r : routingBefore.routes()) {
                Target t = replaced.get(r.target().id());
                routes.add(t == null ? r : new Route(t, r.weight(), r.state()));
            }
            desired = new Routing(routes, routingBefore.stickiness(), routingBefore.rules());
        }
        RollbackAction a = new RollbackAction("restore routing");
        routerTouched = true;
        restoreAttempt(a, desired, 1, new ArrayList<>());
    }

    private void restoreAttempt(RollbackAction a, Routing desired, int attempt, List<String> problems) {
        a.call(routerLane, "router.apply", cfg.stepDeadline(), () -> {
            cfg.router().apply(desired);
            return Boolean.TRUE;
        }, (ok, err) -> {
            if (err != null) {
                retryRestore(a, desired, attempt, problems, Texts.message(err));
                return;
            }
            lastApplied = desired;
            a.call(routerLane, "router.current", cfg.stepDeadline(), () -> cfg.router().current(), (now, err2) -> {
                if (err2 != null) {
                    retryRestore(a, desired, attempt, problems, "reading back failed: " + Texts.message(err2));
                } else if (!desired.sameTrafficAs(now)) {
                    retryRestore(a, desired, attempt, problems, "router reports "
                            + Texts.routing(now));
                } else {
                    journal(x -> x.withRoutingApplied(desired, clock.now()));
                    emit(Type.ROUTING_APPLIED, -1, a.name, Texts.routing(desired));
                    a.succeed("traffic restored to the routing read before the deployment"
                            + (attempt > 1 ? " at attempt " + attempt + " (" + String.join("; ", problems) + ")" : ""));
                    retireLaunched(true);
                }
            });
        });
    }

    private void retryRestore(RollbackAction a, Routing desired, int attempt, List<String> problems, String problem) {
        problems.add("attempt " + attempt + ": " + problem);
        if (attempt <= cfg.rollbackRetries()) {
            Duration backoff = cfg.rollbackBackoff().multipliedBy(1L << Math.min(20, attempt - 1));
            LOG.warn("deployment {}: restoring traffic failed ({}), retrying in {}", id, Texts.brief(problem, BRIEF),
                    Texts.duration(backoff));
            timer(a.scope, backoff, () -> restoreAttempt(a, desired, attempt + 1, problems));
            return;
        }
        a.fail("traffic not restored after " + attempt + " attempts: " + String.join("; ", problems));
        leftovers.add("traffic not restored (router said: " + problem + "): apply " + desired + " by hand");
        retireLaunched(false);
    }

    private void retireLaunched(boolean trafficRestored) {
        List<Target> toRetire = new ArrayList<>();
        for (Target t : launched) {
            if (!retiredIds.contains(t.id())) {
                toRetire.add(t);
            }
        }
        if (toRetire.isEmpty()) {
            finishRollback();
            return;
        }
        if (!trafficRestored) {
            for (Target t : toRetire) {
                leftovers.add("target " + describe(t) + " still running: not retired because traffic was not restored;"
                        + " stop it once traffic is restored");
            }
            finishRollback();
            return;
        }
        StringJoiner ids = new StringJoiner(", ");
        toRetire.forEach(t -> ids.add(t.id()));
        RollbackAction a = new RollbackAction("retire launched " + Texts.brief(ids.toString(), BRIEF));
        Duration grace = cfg.rollbackGrace();
        List<String> failures = new ArrayList<>();
        int[] pending = {toRetire.size()};
        for (Target t : toRetire) {
            a.call(launcherLane, "launcher.retire(" + t.id() + ")", cfg.stepDeadline().plus(grace), () -> {
                cfg.launcher().retire(t, grace);
                return Boolean.TRUE;
            }, (ok, err) -> {
                if (err == null) {
                    markRetired(t);
                } else {
                    failures.add(t.id() + ": " + Texts.message(err));
                    leftovers.add("target " + describe(t) + " still running (launcher said: " + Texts.message(err)
                            + "): stop it");
                }
                if (--pending[0] == 0) {
                    if (failures.isEmpty()) {
                        a.succeed("retired " + Texts.brief(ids.toString(), BRIEF));
                    } else {
                        a.fail("could not retire " + Texts.brief(String.join("; ", failures), BRIEF * 2));
                    }
                    finishRollback();
                }
            });
        }
    }

    private void finishRollback() {
        for (String doubt : launchesInDoubt) {
            leftovers.add("launch of " + doubt + " did not answer in time: an instance may be running: find it and stop it");
        }
        launchesInDoubt.clear();
        finish(leftovers.isEmpty() ? DeploymentStatus.ROLLED_BACK : DeploymentStatus.FAILED);
    }

    private static String describe(Target t) {
        return t.id() + " (" + t.version() + " @ " + t.endpoint() + ")";
    }

    // ------------------------------------------------------------------------------------------------ end

    private void finish(DeploymentStatus planned) {
        Scope s = new Scope();
        Duration d = cfg.stepDeadline();
        call(s, routerLane, "router.current (final read)", d, "deadline of " + Texts.duration(d)
                        + " exceeded reading the final routing", () -> cfg.router().current(), (now, err) -> {
                    DeploymentStatus end = settleStrays(planned);
                    if (err != null) {
                        LOG.warn("deployment {}: could not read the final routing: {}", id, Texts.message(err));
                    }
                    Routing after = now != null ? now : lastApplied;
                    journal(x -> x.withStatus(end, reason, clock.now()));
                    if (!journalProblems.isEmpty()) {
                        reason = (reason.isEmpty() ? "" : reason + "; ") + "the journal could not be updated ("
                                + String.join("; ", journalProblems) + "): it may still show this deployment unfinished,"
                                + " and the next start would recover it again";
                    }
                    if (lease != null) {
                        lease.close();
                        lease = null;
                    }
                    DeploymentResult res = new DeploymentResult(id, spec.service(), spec.version(), end, reason,
                            startedAt, clock.now(), routingBefore, after, launched, retired, leftovers, outcomes);
                    recordResult(res);
                    status = end;
                    String msg = end + (reason.isEmpty() ? "" : ": " + reason)
                            + (leftovers.isEmpty() ? "" : "; left to do by hand: " + String.join("; ", leftovers));
                    if (end == DeploymentStatus.SUCCEEDED) {
                        LOG.info("deployment {}: {}", id, msg);
                    } else {
                        LOG.warn("deployment {}: {}", id, Texts.brief(msg, BRIEF * 4));
                    }
                    emit(Type.FINISHED, -1, "", msg);
                    complete(res);
                });
    }

    /**
     * Router calls the router lane abandoned (they outlived their deadline and one more step deadline) make the end
     * FAILED whatever it would have been: such a call may still change the routing, or did so after later calls.
     */
    private DeploymentStatus settleStrays(DeploymentStatus planned) {
        if (strayRouterCalls.isEmpty()) {
            return planned;
        }
        Duration waited = cfg.stepDeadline();
        for (Map.Entry<String, Boolean> e : strayRouterCalls.entrySet()) {
            leftovers.add(e.getValue()
                    ? "a router call (" + e.getKey() + ") returned only after it had been given up and later router calls"
                            + " had started: it may have overwritten the routing this deployment left; check the router"
                    : "a router call (" + e.getKey() + ") did not return within its deadline and " + Texts.duration(waited)
                            + " more and may still be running: if it completes it changes the routing this deployment"
                            + " left; check the router");
        }
        if (planned != DeploymentStatus.FAILED && reason.isEmpty()) {
            reason = "all steps completed, but a router call outlived its deadline and the engine's wait for it";
        }
        return DeploymentStatus.FAILED;
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    /** The answer to a blocking call that outlived its deadline. */
    private static final class DeadlineExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeadlineExceeded(String message) {
            super(message, null, false, false);
        }
    }

    /** The task of a blocking call; a refusal by the executor becomes its failure. */
    private static final class CallTask<T> extends FutureTask<T> {
        private final Runnable whenDone;

        CallTask(Callable<T> body, Runnable whenDone) {
            super(body);
            this.whenDone = whenDone;
        }

        @Override
        protected void done() {
            whenDone.run();
        }

        void refused(Throwable e) {
            setException(e);
        }
    }

    /** A blocking call in flight; running it cancels it (and gives it up in its lane). */
    private static final class Op<T> implements Runnable {
        CallTask<T> task;
        volatile Cancellable timer;
        Lane lane;
        Lane.Ticket ticket;
        boolean done;

        @Override
        public void run() {
            done = true;
            Cancellable t = timer;
            if (t != null) {
                t.cancel();
            }
            giveUp();
        }

        /** Interrupts the call; in a lane, the lane keeps it until it really returns (bounded). */
        void giveUp() {
            task.cancel(true);
            if (ticket != null) {
                lane.giveUp(ticket);
            }
        }
    }

    /**
     * Runs {@code body} in {@code lane} (one deployment's calls to one collaborator; {@code null}: straight on the
     * executor), bounded by a deadline timer armed when the call starts; {@code then} runs on the actor exactly once with
     * the value or the failure ({@link DeadlineExceeded} with {@code timeoutMessage} when the deadline fires first, after
     * interrupting the call) unless the scope is closed first.
     */
    private <T> void call(Scope scope, Lane lane, String what, Duration deadline, String timeoutMessage, Callable<T> body,
                          BiConsumer<T, Throwable> then) {
        if (scope.closed()) {
            return;
        }
        Op<T> op = new Op<>();
        op.task = new CallTask<>(body, () -> actor.post(() -> complete(scope, op, then)));
        scope.add(op);
        Runnable arm = () -> op.timer = cfg.scheduler().schedule(deadline, () -> actor.post(() -> {
            if (op.done || scope.closed()) {
                return;
            }
            op.done = true;
            scope.remove(op);
            op.giveUp();
            LOG.warn("deployment {}: {}", id, timeoutMessage);
            then.accept(null, new DeadlineExceeded(timeoutMessage));
        }));
        if (lane != null) {
            op.lane = lane;
            op.ticket = lane.submit(what, new Lane.Job() {
                @Override
                public void run() {
                    if (!op.task.isDone()) {
                        arm.run();
                    }
                    op.task.run();
                }

                @Override
                public void rejected(RejectedExecutionException e) {
                    op.task.refused(new IllegalStateException("executor rejected " + what + ": " + Texts.message(e), e));
                }
            });
            return;
        }
        arm.run();
        try {
            cfg.executor().execute(op.task);
        } catch (RejectedExecutionException e) {
            op.task.refused(new IllegalStateException("executor rejected " + what + ": " + Texts.message(e), e));
        }
    }

    private static <T> void complete(Scope scope, Op<T> op, BiConsumer<T, Throwable> then) {
        if (op.done || scope.closed()) {
            return;
        }
        op.done = true;
        scope.remove(op);
        Cancellable timer = op.timer;
        if (timer != null) {
            timer.cancel();
        }
        T value = null;
        Throwable error = null;
        try {
            value = op.task.get();
        } catch (ExecutionException e) {
            error = e.getCause() == null ? e : e.getCause();
        } catch (CancellationException e) {
            error = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = e;
        }
        then.accept(value, error);
    }

    /** Runs {@code then} on the actor after {@code delay} unless the scope closes first; the returned task cancels. */
    private Runnable timer(Scope scope, Duration delay, Runnable then) {
        boolean[] done = {false};
        Cancellable[] handle = {null};
        Runnable cancel = new Runnable() {
            @Override
            public void run() {
                done[0] = true;
                if (handle[0] != null) {
                    handle[0].cancel();
                }
            }
        };
        scope.add(cancel);
        handle[0] = cfg.scheduler().schedule(delay, () -> actor.post(() -> {
            if (done[0] || scope.closed()) {
                return;
            }
            done[0] = true;
            scope.remove(cancel);
            then.run();
        }));
        return cancel;
    }

    private void emit(Type type, int index, String step, String message) {
        List<DeploymentListener> listeners = cfg.listeners();
        if (listeners.isEmpty()) {
            return;
        }
        DeploymentEvent e = new DeploymentEvent(id, type, clock.now(), index, step, message);
        for (DeploymentListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (VirtualMachineError x) {
                throw x;
            } catch (Throwable x) {
                LOG.warn("deployment {}: listener {} threw on {} (ignored): {}", id, l.getClass().getName(), type,
                        Texts.message(x));
            }
        }
    }
}
