package dev.zdd.core.internal;

import dev.zdd.api.CommandReply;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentProgress;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.Routing;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.lock.DeploymentLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One deployment: the engine's state machine and the {@link dev.zdd.api.Deployment} handle users hold. The run is in
 * exactly one {@link Phase} at a time; each transition is one method that checks the phase it leaves, so a late answer,
 * a timer or a handle command that arrives in another phase changes nothing. Steps run in their own
 * {@link StepRunner}s, the rollback in {@link Rollback}, the wait for a window or the lock in {@link StartWait}.
 *
 * <p>All state changes happen inside one {@link Actor}: timers, answers of bounded calls and handle commands are posted
 * to it, so they never run concurrently. A handle command is a message answered with a {@link CommandReply}. A task
 * that throws inside the actor fails the deployment ({@link #internalFailure}), never leaves it hanging.
 *
 * <p>Thread-safe (handle methods may be called from any thread). Internal.
 */
public final class Run extends DeploymentHandle implements StepRunner.Owner {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final RunContext ctx;
    private final JournalRecord recovered;
    private final Routing seen;
    private final Instant createdAt;
    private final Scope runScope = new Scope();
    private volatile Phase phase;
    private Instant startedAt;
    private String reason = "";
    private DeploymentLock.Lease lease;
    private Function<Routing, Plan> planner;
    private Rollback rollingBack;

    private Run(EngineConfig cfg, Reliability rel, DeploymentSpec spec, String id, JournalRecord recovered, Routing seen,
                DeploymentLock.Lease lease, Phase first) {
        this.ctx = new RunContext(cfg, rel, spec, id, recovered, this::internalFailure);
        this.recovered = recovered;
        this.seen = seen;
        this.lease = lease;
        this.phase = first;
        this.createdAt = ctx.now();
        ctx.lease.hold(lease, rel.lock());
    }

    /** A deployment of a plan validated against {@code before}; it starts on the scheduler at {@link #start()}. */
    public static Run planned(EngineConfig cfg, Reliability rel, DeploymentSpec spec, String id, Plan plan, Routing before,
                              DeploymentLock.Lease lease) {
        Run r = new Run(cfg, rel, spec, id, null, before, lease, new Phase.Planning());
        r.ctx.planned(plan, before);
        return r;
    }

    /** The recovery of a deployment found interrupted in the journal; it starts at {@link #start()}. */
    public static Run recovering(EngineConfig cfg, Reliability rel, JournalRecord r, DeploymentLock.Lease lease) {
        Run run = new Run(cfg, rel, r.spec(), r.deploymentId(), r, r.routingBefore(), lease, new Phase.Planning());
        run.ctx.planned(r.plan(), r.routingBefore());
        RecoveredLedger.restore(run.ctx, r);
        return run;
    }

    /**
     * A deployment that first waits (for {@code startAt} when not null, then for the lock when {@code waitForLock}),
     * then reads the router and plans with {@code planner} (which validates and throws IllegalArgumentException).
     */
    public static Run waiting(EngineConfig cfg, Reliability rel, DeploymentSpec spec, String id, Routing seen,
                              Instant startAt, boolean waitForLock, Function<Routing, Plan> planner) {
        Run run = new Run(cfg, rel, spec, id, null, seen, null, new Phase.Waiting());
        run.planner = planner;
        run.ctx.actor.post(() -> new StartWait(run.ctx, run.runScope, run::waitOver, run::notStarted)
                .begin(startAt, waitForLock));
        return run;
    }

    /** A new deployment id: service, version, start time and a sequence number. */
    public static String newId(dev.zdd.api.Clock clock, DeploymentSpec spec) {
        return spec.service() + "-" + spec.version() + "-" + Long.toString(clock.now().toEpochMilli(), 36) + "-"
                + SEQUENCE.incrementAndGet();
    }

    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    /** Schedules the first step (or the recovery) on the scheduler and returns at once. */
    public Run start() {
        ctx.actor.post(() -> ctx.lease.start(ctx.calls, ctx.actor, ctx.cfg.stepDeadline(), this::leaseLost));
        ctx.cfg.scheduler().schedule(Duration.ZERO, () -> ctx.actor.post(recovered != null ? this::beginRecovery
                : this::beginRunning));
        return this;
    }

    // ------------------------------------------------------------------------------------------------ handle

    @Override
    public String id() {
        return ctx.id;
    }

    @Override
    public DeploymentStatus status() {
        return phase.status();
    }

    @Override
    public DeploymentProgress progress() {
        Phase p = phase;
        int i = p.index();
        return new DeploymentProgress(p.status(), p.view(), i, ctx.steps(), ctx.stepName(i));
    }

    @Override
    public CompletionStage<CommandReply> pause() {
        return command("pause", () -> {
            if (phase instanceof Phase.Between b) {
                phase = new Phase.Paused(b.index(), null);
                String what = "paused before " + (b.index() < ctx.steps() ? ctx.label(b.index()) : "the end");
                LOG.info("deployment {}: {}", ctx.id, what);
                ctx.events.emit(new DeploymentEvent.Paused(ctx.id, ctx.now(), b.index(), what));
                return Ack.yes(what);
            }
            if (!(phase instanceof Phase.Stepping s)) {
                return Ack.no("only a running deployment can be paused");
            }
            StepRunner r = s.runner();
            phase = new Phase.Paused(r.index, r);
            String what = "paused during " + ctx.label(r.index)
                    + (r.pausable() ? ": its time stops counting" : ": it finishes, the next step waits");
            LOG.info("deployment {}: {}", ctx.id, what);
            ctx.events.emit(new DeploymentEvent.Paused(ctx.id, ctx.now(), r.index, what));
            if (r.pausable()) {
                r.onPause();
            }
            return Ack.yes(what);
        });
    }

    @Override
    public CompletionStage<CommandReply> resume() {
        return command("resume", () -> {
            if (phase instanceof Phase.Paused p) {
                LOG.info("deployment {}: resumed", ctx.id);
                ctx.events.emit(new DeploymentEvent.Resumed(ctx.id, ctx.now(), p.index()));
                if (p.runner() == null) {
                    phase = new Phase.Between(p.index());
                    next(p.index());
                    return Ack.yes("resumed before " + (p.index() < ctx.steps() ? ctx.label(p.index()) : "the end"));
                }
                phase = new Phase.Stepping(p.runner());
                p.runner().onResume();
                return Ack.yes("resumed " + ctx.label(p.index()));
            }
            if (phase instanceof Phase.Deciding d) {
                reason = "";
                ctx.journal.clearForwardFailure();
                ctx.journal.write(x -> x.withStatus(DeploymentStatus.RUNNING, "", ctx.now()));
                ctx.events.emit(new DeploymentEvent.Resumed(ctx.id, ctx.now(), d.index()));
                startStep(d.index());
                return Ack.yes("resumed: retrying " + ctx.label(d.index()));
            }
            return Ack.no("not paused");
        });
    }

    @Override
    public CompletionStage<CommandReply> promote() {
        return command("promote", () -> {
            StepRunner r = phase instanceof Phase.Stepping s ? s.runner()
                    : phase instanceof Phase.Paused p ? p.runner() : null;
            if (r == null || !r.promotable()) {
                return Ack.no("no manual gate or pause step is running");
            }
            LOG.info("deployment {}: promoted during {}", ctx.id, ctx.label(r.index));
            ctx.events.emit(new DeploymentEvent.Promoted(ctx.id, ctx.now(), r.index, r.name));
            r.onPromote();
            return Ack.yes("promoted " + ctx.label(r.index));
        });
    }

    @Override
    public CompletionStage<CommandReply> abort(String why) {
        String text = Texts.printable(why == null || why.isBlank() ? "no reason given" : why);
        return command("abort", () -> {
            Phase p = phase;
            if (p instanceof Phase.Waiting || p instanceof Phase.Planning) {
                notStarted("aborted while " + (p instanceof Phase.Waiting ? "waiting" : "planning") + ": " + text);
                return Ack.yes("ended before it started: nothing was touched");
            }
            StepRunner r = p instanceof Phase.Stepping s ? s.runner() : p instanceof Phase.Paused q ? q.runner() : null;
            if (r == null && !(p instanceof Phase.Between || p instanceof Phase.Paused || p instanceof Phase.Deciding)) {
                return Ack.no(p instanceof Phase.Finished ? "already finished" : p instanceof Phase.Finishing
                        ? "already finishing" : "already rolling back");
            }
            LOG.warn("deployment {}: abort requested: {}", ctx.id, text);
            if (r != null) {
                close(r, Outcome.SKIPPED, "aborted: " + text);
            }
            rollback("aborted: " + text);
            return Ack.yes("rolling back");
        });
    }

    /** What a command did. */
    private record Ack(boolean accepted, String detail) {
        static Ack yes(String detail) {
            return new Ack(true, detail);
        }

        static Ack no(String detail) {
            return new Ack(false, detail);
        }
    }

    private CompletionStage<CommandReply> command(String name, Supplier<Ack> handler) {
        CompletableFuture<CommandReply> reply = new CompletableFuture<>();
        ctx.actor.post(() -> {
            DeploymentProgress before = progress();
            Ack a;
            try {
                a = handler.get();
            } catch (RuntimeException e) {
                reply.complete(new CommandReply(name, false, "failed inside the engine: " + Texts.message(e), before));
                throw e;
            }
            reply.complete(new CommandReply(name, a.accepted(), a.accepted() ? a.detail()
                    : a.detail() + "; now " + before, before));
        });
        return reply.minimalCompletionStage();
    }

    // ------------------------------------------------------------------------------------------------ starting

    private void waitOver(DeploymentLock.Lease l) {
        if (!(phase instanceof Phase.Waiting)) {
            if (l != null) {
                l.close();
            }
            return;
        }
        lease = l;
        ctx.lease.hold(l, ctx.rel.lock());
        ctx.lease.start(ctx.calls, ctx.actor, ctx.cfg.stepDeadline(), this::leaseLost);
        phase = new Phase.Planning();
        if (ctx.rel.journal() != null) {
            try {
                JournalRecord r = ctx.rel.journal().read(ctx.spec.service()).orElse(null);
                if (r != null && r.interrupted()) {
                    notStarted("the journal holds deployment " + r.deploymentId() + " of " + ctx.spec.service()
                            + ", interrupted by a crash: recover it first (engine.recover(service)), then start again");
                    return;
                }
            } catch (RuntimeException e) {
                notStarted("cannot read the journal: " + Texts.message(e));
                return;
            }
        }
        ctx.calls.call(runScope, ctx.routerLane, "router.current before planning", ctx.cfg.stepDeadline(),
                () -> ctx.cfg.router().current(), (routing, err) -> {
                    if (!(phase instanceof Phase.Planning)) {
                        return;
                    }
                    if (err != null || routing == null) {
                        notStarted("cannot read the current routing before planning: "
                                + (err == null ? "router returned null" : Texts.message(err)));
                        return;
                    }
                    Plan plan;
                    try {
                        plan = planner.apply(routing);
                    } catch (RuntimeException e) {
                        notStarted("cannot plan against the routing as it is now: " + Texts.message(e));
                        return;
                    }
                    ctx.planned(plan, routing);
                    beginRunning();
                });
    }

    private void beginRunning() {
        if (!(phase instanceof Phase.Planning)) {
            return;
        }
        startedAt = ctx.now();
        String failure = ctx.journal.begin(JournalRecord.start(ctx.id, ctx.spec, ctx.plan, ctx.ledger.routingBefore,
                startedAt));
        if (failure != null) {
            notStarted(failure + "; nothing was changed and nothing was journaled");
            return;
        }
        LOG.info("deployment {}: started {} of {} with {} steps", ctx.id, ctx.spec.version(), ctx.spec.service(),
                ctx.steps());
        ctx.events.emit(new DeploymentEvent.Started(ctx.id, startedAt, ctx.spec.service(), ctx.spec.version(), ctx.plan,
                ctx.ledger.routingBefore, false, ""));
        armDeploymentDeadline();
        phase = new Phase.Between(0);
        next(0);
    }

    private void beginRecovery() {
        if (!(phase instanceof Phase.Planning)) {
            return;
        }
        startedAt = recovered.startedAt();
        RecoveredLedger.Decision d = RecoveredLedger.decide(ctx, recovered);
        LOG.warn("deployment {}: {}", ctx.id, Texts.brief(d.message(), RunContext.BRIEF * 4));
        ctx.events.emit(new DeploymentEvent.Started(ctx.id, ctx.now(), ctx.spec.service(), ctx.spec.version(), ctx.plan,
                ctx.ledger.routingBefore, true, d.message()));
        int at = recovered.completedSteps();
        switch (d.action()) {
            case FINISHED -> {
                reason = "recovered after a crash: " + d.what();
                phase = new Phase.Between(ctx.steps());
                next(ctx.steps());
            }
            case RESUME -> {
                ctx.journal.write(x -> x.withStatus(DeploymentStatus.RUNNING, "", ctx.now()));
                phase = new Phase.Between(at);
                next(at);
            }
            case DECIDE -> decide(at, "recovered after a crash past the point of no return (" + recovered.summary() + ")");
            case ROLL_BACK -> rollback("recovered after a crash (" + recovered.summary() + ")"
                    + (recovered.status() == DeploymentStatus.ROLLING_BACK ? ": finishing its rollback" : ""));
        }
    }

    private void armDeploymentDeadline() {
        Duration limit = ctx.cfg.deploymentDeadline();
        if (limit == null) {
            return;
        }
        ctx.calls.timer(runScope, limit, () -> {
            String why = "the deployment deadline of " + Texts.duration(limit) + " passed";
            Phase p = phase;
            StepRunner r = p instanceof Phase.Stepping s ? s.runner() : p instanceof Phase.Paused q ? q.runner() : null;
            if (r != null) {
                stepFailed(r, why);
            } else if (p instanceof Phase.Between || p instanceof Phase.Paused) {
                if (ctx.ledger.pastPointOfNoReturn) {
                    decide(p.index(), why);
                } else {
                    rollback(why);
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ steps

    private void next(int i) {
        if (!(phase instanceof Phase.Between b) || b.index() != i) {
            return;
        }
        if (i >= ctx.steps()) {
            finish(DeploymentStatus.SUCCEEDED);
            return;
        }
        startStep(i);
    }

    private void startStep(int i) {
        ctx.journal.write(x -> x.stepStarted(i, ctx.now()));
        if (ctx.journal.forwardFailure() != null) {
            rollback("before " + ctx.label(i) + ": " + ctx.journal.forwardFailure()
                    + "; stopping while the deployment can still be undone");
            return;
        }
        StepRunner r = StepRunner.create(ctx, this, i);
        phase = new Phase.Stepping(r);
        r.startedAt = ctx.now();
        LOG.debug("deployment {}: {} started", ctx.id, ctx.label(i));
        ctx.events.emit(new DeploymentEvent.StepStarted(ctx.id, r.startedAt, i, r.name));
        r.start();
    }

    /** Whether {@code r} is the step this run is in (a late report of an earlier step changes nothing). */
    private boolean live(StepRunner r) {
        Phase p = phase;
        return (p instanceof Phase.Stepping s && s.runner() == r) || (p instanceof Phase.Paused q && q.runner() == r);
    }

    @Override
    public void stepEnded(StepRunner r, Outcome outcome, String detail) {
        if (!live(r)) {
            return;
        }
        ctx.journal.write(x -> x.stepCompleted(r.index, ctx.now()));
        if (ctx.journal.forwardFailure() != null) {
            stepFailed(r, ctx.journal.forwardFailure() + "; stopping while the deployment can still be undone");
            return;
        }
        boolean paused = phase instanceof Phase.Paused;
        close(r, outcome, detail);
        LOG.debug("deployment {}: {} {}: {}", ctx.id, ctx.label(r.index), outcome == Outcome.SKIPPED ? "ended early"
                : "succeeded", Texts.brief(detail, RunContext.BRIEF));
        int following = r.index + 1;
        if (paused) {
            phase = new Phase.Paused(following, null);
            return;
        }
        phase = new Phase.Between(following);
        ctx.actor.post(() -> next(following));
    }

    @Override
    public void stepFailed(StepRunner r, String why) {
        if (!live(r)) {
            return;
        }
        close(r, Outcome.FAILED, why);
        LOG.warn("deployment {}: {} failed: {}", ctx.id, ctx.label(r.index), Texts.brief(why, RunContext.BRIEF));
        if (ctx.ledger.pastPointOfNoReturn) {
            decide(r.index, ctx.label(r.index) + " failed past the point of no return: " + why);
            return;
        }
        rollback(ctx.label(r.index) + " failed: " + why);
    }

    /** Ends {@code r}: closes its scope (cutting off its calls), records and announces its outcome. */
    private void close(StepRunner r, Outcome outcome, String detail) {
        r.scope.close();
        Instant now = ctx.now();
        ctx.ledger.outcomes.add(new StepOutcome(r.index, r.name, outcome, r.startedAt, now, detail));
        ctx.events.emit(new DeploymentEvent.StepEnded(ctx.id, now, r.index, r.name, outcome, detail));
    }

    /** Past the point of no return: pause for a person instead of rolling back. */
    private void decide(int index, String why) {
        reason = why;
        phase = new Phase.Deciding(index, why);
        String msg = why + "; resume() retries " + ctx.label(index) + ", abort(reason) rolls back";
        ctx.journal.write(x -> x.withStatus(DeploymentStatus.PAUSED, why, ctx.now()));
        LOG.warn("deployment {}: {}", ctx.id, Texts.brief(msg, RunContext.BRIEF));
        ctx.events.emit(new DeploymentEvent.Paused(ctx.id, ctx.now(), index, msg));
    }

    // ------------------------------------------------------------------------------------------------ ending

    private void rollback(String why) {
        if (ctx.lease.lost() != null) {
            leaseLost(ctx.lease.lost());
            return;
        }
        Phase p = phase;
        if (p instanceof Phase.RollingBack || p instanceof Phase.Finishing || p instanceof Phase.Finished) {
            return;
        }
        reason = why;
        phase = new Phase.RollingBack();
        if (startedAt == null) {
            startedAt = ctx.now();
        }
        runScope.close();
        LOG.warn("deployment {}: rolling back: {}", ctx.id, Texts.brief(why, RunContext.BRIEF));
        ctx.journal.forwardOver();
        ctx.journal.write(x -> x.withStatus(DeploymentStatus.ROLLING_BACK, why, ctx.now()));
        ctx.events.emit(new DeploymentEvent.RollbackStarted(ctx.id, ctx.now(), why));
        rollingBack = new Rollback(ctx, this::rolledBack);
        rollingBack.start();
    }

    private void rolledBack(DeploymentStatus end) {
        if (phase instanceof Phase.RollingBack) {
            finish(end);
        }
    }

    /** Reads the final routing (bounded), then ends with {@code end} (FAILED when router calls went astray). */
    private void finish(DeploymentStatus end) {
        Phase p = phase;
        if (p instanceof Phase.Finishing || p instanceof Phase.Finished) {
            return;
        }
        runScope.close();
        ctx.journal.forwardOver();
        phase = new Phase.Finishing(end, p.status());
        ctx.calls.call(new Scope(), ctx.routerLane, "router.current (final read)", ctx.cfg.stepDeadline(),
                () -> ctx.cfg.router().current(), (now, err) -> {
                    if (err != null) {
                        LOG.warn("deployment {}: could not read the final routing: {}", ctx.id, Texts.message(err));
                    }
                    conclude(end, now != null ? now : ctx.ledger.lastApplied);
                });
    }

    private void conclude(DeploymentStatus planned, Routing after) {
        if (phase instanceof Phase.Finished) {
            return;
        }
        Ledger l = ctx.ledger;
        DeploymentStatus end = Strays.settle(ctx, planned, reason, r -> reason = r);
        ctx.journal.write(x -> x.withStatus(end, reason, ctx.now()));
        if (!ctx.journal.laterProblems().isEmpty()) {
            reason = (reason.isEmpty() ? "" : reason + "; ") + "the journal could not be updated ("
                    + String.join("; ", ctx.journal.laterProblems()) + "): it may still show this deployment unfinished,"
                    + " and the next start would recover it again";
        }
        end(new DeploymentResult(ctx.id, ctx.spec.service(), ctx.spec.version(), end, reason, startedAt, ctx.now(),
                l.routingBefore, after, l.launched, l.retired, l.leftovers, l.outcomes));
    }

    /** Ends without having touched anything (waiting or planning, or the journal refused the first record). */
    private void notStarted(String why) {
        Phase p = phase;
        if (!(p instanceof Phase.Waiting || p instanceof Phase.Planning)) {
            return;
        }
        reason = "not started: " + why;
        runScope.close();
        LOG.warn("deployment {}: {}", ctx.id, reason);
        Instant now = ctx.now();
        end(new DeploymentResult(ctx.id, ctx.spec.service(), ctx.spec.version(), DeploymentStatus.ROLLED_BACK, reason,
                startedAt == null ? createdAt : startedAt, now, seen, seen, List.of(), List.of(), List.of(), List.of()));
    }

    /** The lease is lost: touch nothing more (no rollback, no journal write) and end FAILED naming the new holder. */
    private void leaseLost(String why) {
        Phase p = phase;
        if (p instanceof Phase.Waiting || p instanceof Phase.Planning) {
            notStarted("lost its lease before touching anything: " + why);
        } else if (!(p instanceof Phase.Finished)) {
            StepRunner r = p instanceof Phase.Stepping st ? st.runner() : p instanceof Phase.Paused q ? q.runner() : null;
            if (r != null) {
                close(r, Outcome.FAILED, "stopped: the deployment lost its lease");
            }
            if (rollingBack != null) {
                rollingBack.stop("stopped: the deployment lost its lease");
            }
            runScope.close();
            end(LeaseLoss.result(ctx, p, why, startedAt == null ? createdAt : startedAt));
        }
    }

    private void end(DeploymentResult res) {
        ctx.lease.stop();
        if (lease != null) {
            lease.close();
            lease = null;
        }
        recordResult(res);
        phase = new Phase.Finished(res);
        DeploymentEvent.Finished e = new DeploymentEvent.Finished(ctx.id, res.finishedAt(), res);
        if (res.status() == DeploymentStatus.SUCCEEDED) {
            LOG.info("deployment {}: {}", ctx.id, e.describe());
        } else {
            LOG.warn("deployment {}: {}", ctx.id, Texts.brief(e.describe(), RunContext.BRIEF * 4));
        }
        try {
            ctx.events.emit(e);
        } finally {
            complete(res);
        }
    }

    /**
     * A task inside the actor threw: the deployment fails instead of carrying on in a state nobody planned. Before it
     * touched anything it ends not started; running, it fails the step (rolling back); rolling back, it stops and ends
     * FAILED with a leftover; finishing, it ends FAILED at once.
     */
    private void internalFailure(Throwable e) {
        String what = "internal error in the engine (" + e.getClass().getSimpleName() + ": " + Texts.message(e) + ")";
        Phase p = phase;
        if (p instanceof Phase.Waiting || p instanceof Phase.Planning) {
            notStarted(what);
        } else if (p instanceof Phase.Stepping s) {
            stepFailed(s.runner(), what);
        } else if (p instanceof Phase.Paused q && q.runner() != null) {
            stepFailed(q.runner(), what);
        } else if (p instanceof Phase.Between || p instanceof Phase.Paused) {
            rollback(what);
        } else if (p instanceof Phase.RollingBack) {
            ctx.ledger.leftovers.add("the rollback stopped on an " + what + ": check the routing and the targets by hand");
            finish(DeploymentStatus.FAILED);
        } else if (p instanceof Phase.Finishing) {
            ctx.ledger.leftovers.add("the end of the deployment failed on an " + what + ": check the routing by hand");
            reason = reason.isEmpty() ? what : reason;
            Ledger l = ctx.ledger;
            end(new DeploymentResult(ctx.id, ctx.spec.service(), ctx.spec.version(), DeploymentStatus.FAILED, reason,
                    startedAt == null ? createdAt : startedAt, ctx.now(), l.routingBefore, l.lastApplied, l.launched,
                    l.retired, l.leftovers, l.outcomes));
        }
    }
}
