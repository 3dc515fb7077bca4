package dev.zdd.core;

import dev.zdd.api.Arguments;
import dev.zdd.api.Cancellable;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentHook;
import dev.zdd.api.DeploymentListener;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Scheduler;
import dev.zdd.api.Strategy;
import dev.zdd.api.TargetLauncher;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.internal.BlockingPool;
import dev.zdd.core.internal.Run;
import dev.zdd.core.internal.EngineConfig;
import dev.zdd.core.internal.PlanValidator;
import dev.zdd.core.internal.Reliability;
import dev.zdd.core.internal.Texts;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.JournalStore;
import dev.zdd.core.journal.RecoveryMode;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.DeploymentLocks;
import dev.zdd.core.lock.LockHeldException;
import dev.zdd.core.lock.LockOwner;
import dev.zdd.core.policy.DeployWindowException;
import dev.zdd.core.policy.DeployWindowPolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Runs deployment {@link Plan}s: the only part of zdd with side effects.
 *
 * <p>{@link #plan(DeploymentSpec, Strategy)} is a dry run: it reads the router's current routing, asks the strategy for
 * a plan and validates it, touching nothing. {@link #start(DeploymentSpec, Strategy)} does the same and then runs the plan
 * asynchronously, returning a {@link Deployment} handle at once. The engine validates every plan before touching
 * anything: each target id a step names exists (in the current routing, in the spec, or launched by an earlier step),
 * launched ids are new, checks and hooks are registered, a probe and a launcher are there when steps need them, and the
 * router can express every routing table ({@link RouterCapabilities#check}). A problem is an
 * {@link IllegalArgumentException} naming the step (numbered from 1 as {@link Plan#render()} prints it), the field and
 * the value.
 *
 * <p>Running: steps run in order; blocking calls (router, launcher, probes, checks, hooks) run on the
 * {@link Builder#executor(Executor) executor}, each bounded by a deadline timer on the
 * {@link Builder#scheduler(Scheduler) scheduler}; the engine never sleeps and never blocks its own threads. Each
 * deployment calls its router one call at a time, even after a deadline: a call that outlives its deadline keeps the
 * router until it returns, for at most one more step deadline (then the deployment goes on and ends FAILED, saying the
 * router must be checked). Any failure,
 * deadline or abort rolls back: relaunch what the deployment retired (newest first), restore exactly the routing read
 * before, retire what it launched. See {@code docs/engine.md} for the full semantics.
 *
 * <p>Crash safety and policies (see {@code docs/reliability.md}), all optional: with a {@link Builder#journal journal}
 * every step, routing change, launch and retirement is written durably, and a deployment interrupted by a crash is
 * found by the next {@code start} (or {@link #recover(String)}) of the same service and rolled back or resumed
 * ({@link Builder#recovery}); with a {@link Builder#lock lock} only one deployment per service runs at a time across
 * processes; with a {@link Builder#policy deploy window policy} deployments start only when allowed.
 *
 * <p>Thread-safe: one engine may run several deployments at once, of different services; a second deployment of a
 * service the engine is already deploying is refused (lock or not; a {@link Builder#lock lock} keeps deployments of
 * other engines and processes apart). Build with {@link #builder()}.
 */
public final class Engine {
    /** Default bound of every blocking call (router, launcher, check, hook): 5 minutes. */
    public static final Duration DEFAULT_STEP_DEADLINE = Duration.ofMinutes(5);
    /** How often a drain polls {@link dev.zdd.api.ConnectionStats#activeConnections()}: 1 second. */
    public static final Duration DEFAULT_DRAIN_POLL = Duration.ofSeconds(1);
    /** Grace given to launched targets retired by a rollback: 10 seconds. */
    public static final Duration DEFAULT_ROLLBACK_GRACE = Duration.ofSeconds(10);
    /** How many times a rollback retries restoring the routing after a first failed attempt: 3. */
    public static final int DEFAULT_ROLLBACK_RETRIES = 3;
    /** Wait before the first retry of the routing restore; doubles at each retry: 1 second. */
    public static final Duration DEFAULT_ROLLBACK_BACKOFF = Duration.ofSeconds(1);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final String NAME_RULE = "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 63";

    private final EngineConfig config;
    private final Reliability rel;
    /** Services this engine is deploying (or recovering) now: the reservation token, then the deployment. */
    private final ConcurrentMap<String, Object> active = new ConcurrentHashMap<>();

    private Engine(EngineConfig config, Reliability rel) {
        this.config = config;
        this.rel = rel;
    }

    /** A builder; {@link Builder#router(TrafficRouter)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Dry run: reads the router's current routing (bounded by the step deadline), plans and validates. Touches nothing.
     *
     * @return the validated plan; {@link Plan#render()} prints it
     * @throws IllegalArgumentException when the strategy cannot plan or the plan is invalid for this engine and router
     * @throws RouterException          when the router's current routing cannot be read
     */
    public Plan plan(DeploymentSpec spec, Strategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        return planned(context(spec), strategy);
    }

    /**
     * Plans, validates and starts a deployment; returns at once (status PENDING until the scheduler runs its first step).
     *
     * @throws IllegalArgumentException when the strategy cannot plan or the plan is invalid; nothing was touched
     * @throws IllegalStateException    when this engine is already deploying the same service
     * @throws RouterException          when the router's current routing cannot be read
     */
    public Deployment start(DeploymentSpec spec, Strategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        return launch(spec, context -> planned(context, strategy));
    }

    /**
     * Validates a given plan (for example one a strategy made earlier, or one written by hand) against the router's
     * current routing and starts it; returns at once.
     *
     * @throws IllegalArgumentException when the plan is invalid; nothing was touched
     * @throws IllegalStateException    when this engine is already deploying the same service
     * @throws RouterException          when the router's current routing cannot be read
     */
    public Deployment start(DeploymentSpec spec, Plan plan) {
        if (plan == null) {
            throw new IllegalArgumentException("plan must not be null");
        }
        return launch(spec, context -> {
            PlanValidator.validate(plan, context, config);
            return plan;
        });
    }

    /**
     * Finds a deployment of {@code service} interrupted by a crash (its journal record is not terminal and nobody holds
     * its lock) and recovers it as the builder's {@link Builder#recovery(RecoveryMode) recovery mode} says: rolls it
     * back (the default), or resumes it. Deploy windows do not apply: recovery is repair. {@code start} does this by
     * itself before a new deployment of the same service.
     *
     * @return the recovery's handle (its STARTED event, log and result say what was found and done), or empty when
     *         nothing is interrupted
     * @throws IllegalStateException                            when the engine has no journal, or is already deploying
     *                                                          the service
     * @throws dev.zdd.core.journal.JournalCorruptException     when the journal is damaged (nothing is touched)
     * @throws LockHeldException                                when another process is running a deployment of it
     */
    public Optional<Deployment> recover(String service) {
        if (rel.journal() == null) {
            throw new IllegalStateException("recover(" + service + ") needs a journal (Engine.builder().journal(...))");
        }
        Object token = reserve(service);
        try {
            DeploymentLock.Lease lease = takeLock(service, "recovery-" + service);
            try {
                Optional<Run> d = recoverHolding(service, lease);
                if (d.isEmpty()) {
                    if (lease != null) {
                        lease.close();
                    }
                    active.remove(service, token);
                    return Optional.empty();
                }
                return Optional.of(track(service, token, d.get().start()));
            } catch (RuntimeException e) {
                if (lease != null) {
                    lease.close();
                }
                throw e;
            }
        } catch (RuntimeException e) {
            active.remove(service, token);
            throw e;
        }
    }

    private Optional<Run> recoverHolding(String service, DeploymentLock.Lease lease) {
        Optional<JournalRecord> found = rel.journal().read(service);
        if (found.isEmpty() || !found.get().interrupted()) {
            return Optional.empty();
        }
        return Optional.of(Run.recovering(config, rel, found.get(), lease));
    }

    private DeploymentLock.Lease takeLock(String service, String ownerId) {
        if (rel.lock() == null) {
            return null;
        }
        return rel.lock().tryAcquire(service, LockOwner.current(ownerId, config.scheduler().clock()));
    }

    /** Marks {@code service} as being deployed by this engine, or refuses naming the deployment already running. */
    private Object reserve(String service) {
        Object token = new Object();
        Object held = active.putIfAbsent(service, token);
        if (held != null) {
            throw new IllegalStateException("this engine is already deploying " + service
                    + (held instanceof Deployment d ? " (deployment " + d.id() + ", " + d.progress() + ")" : "")
                    + ": wait for it to end or abort it before starting another");
        }
        return token;
    }

    /** Replaces the reservation by the deployment, and frees the service when it ends. */
    private Deployment track(String service, Object token, Run run) {
        active.replace(service, token, run);
        run.completion().whenComplete((r, e) -> active.remove(service, run));
        return run;
    }

    /**
     * Starts a deployment: checks the deploy window, takes the lock (or waits for either through the scheduler),
     * recovers an interrupted deployment of the service if the journal has one (returning that recovery's handle
     * instead of starting a new deployment), else plans against the router as it is now and runs.
     */
    private Deployment launch(DeploymentSpec spec, Function<PlanContext, Plan> planner) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        Object token = reserve(spec.service());
        try {
            return track(spec.service(), token, prepare(spec, planner));
        } catch (RuntimeException | Error e) {
            active.remove(spec.service(), token);
            throw e;
        }
    }

    private Run prepare(DeploymentSpec spec, Function<PlanContext, Plan> planner) {
        String id = Run.newId(config.scheduler().clock(), spec);
        Instant now = config.scheduler().clock().now();
        Instant startAt = null;
        if (rel.policy() != null) {
            DeployWindowPolicy.Decision d = rel.policy().evaluate(now);
            if (!d.allowed()) {
                String what = "deployment " + id + " of " + spec.service() + " " + spec.version();
                Optional<Instant> next = d.nextAllowed();
                Duration waitUpTo = rel.policy().waitUpTo();
                if (waitUpTo.isZero() || next.isEmpty() || Duration.between(now, next.get()).compareTo(waitUpTo) > 0) {
                    throw new DeployWindowException(what, d, waitUpTo.isZero() ? "" : "that is more than waitUpTo "
                            + waitUpTo + " away");
                }
                startAt = next.get();
            }
        }
        if (startAt == null) {
            DeploymentLock.Lease lease = null;
            try {
                lease = takeLock(spec.service(), id);
            } catch (LockHeldException e) {
                if (rel.lockWait().isZero()) {
                    throw e;
                }
            }
            if (lease != null || rel.lock() == null) {
                try {
                    if (rel.journal() != null) {
                        Optional<Run> recovery = recoverHolding(spec.service(), lease);
                        if (recovery.isPresent()) {
                            return recovery.get().start();
                        }
                    }
                    PlanContext context = context(spec);
                    Plan plan = planner.apply(context);
                    return Run.planned(config, rel, spec, id, plan, context.current(), lease).start();
                } catch (RuntimeException e) {
                    if (lease != null) {
                        lease.close();
                    }
                    throw e;
                }
            }
        }
        // waiting: validate now so that bad input fails at once, then wait and plan again when the wait is over
        PlanContext context = context(spec);
        planner.apply(context);
        RouterCapabilities capabilities = context.capabilities();
        return Run.waiting(config, rel, spec, id, context.current(), startAt, rel.lock() != null,
                routing -> planner.apply(new PlanContext(spec, routing, capabilities, config.launcher() != null)));
    }

    private Plan planned(PlanContext context, Strategy strategy) {
        Plan plan = strategy.plan(context);
        if (plan == null) {
            throw new IllegalArgumentException("strategy " + strategy.getClass().getName() + " returned no plan");
        }
        PlanValidator.validate(plan, context, config);
        return plan;
    }

    private PlanContext context(DeploymentSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        Routing before = readCurrent();
        RouterCapabilities capabilities = config.router().capabilities();
        if (capabilities == null) {
            throw new IllegalArgumentException("router " + config.routerName() + " declared no capabilities (null)");
        }
        return new PlanContext(spec, before, capabilities, config.launcher() != null);
    }

    /**
     * Reads {@code router.current()} on the calling thread, bounded by the step deadline through the scheduler: a timer
     * interrupts the read when the deadline passes. (The engine's executor may be a virtual one that only runs when a
     * test advances time, so the read does not go there.)
     */
    private Routing readCurrent() {
        TrafficRouter router = config.router();
        Duration deadline = config.stepDeadline();
        Thread caller = Thread.currentThread();
        Object guard = new Object();
        int[] state = {0}; // 0 reading, 1 done, 2 timed out (guarded by guard)
        Cancellable timer = config.scheduler().schedule(deadline, () -> {
            synchronized (guard) {
                if (state[0] == 0) {
                    state[0] = 2;
                    caller.interrupt();
                }
            }
        });
        Routing r = null;
        RuntimeException failure = null;
        try {
            r = router.current();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            timer.cancel();
        }
        boolean timedOut;
        synchronized (guard) {
            timedOut = state[0] == 2;
            state[0] = 1;
            if (timedOut) {
                Thread.interrupted(); // the interrupt was ours
            }
        }
        if (timedOut) {
            throw new RouterException("deadline of " + Texts.duration(deadline) + " exceeded reading the current routing"
                    + " of " + config.routerName() + " before planning", failure);
        }
        if (failure != null) {
            throw new RouterException("cannot read the current routing before planning: " + Texts.message(failure),
                    failure);
        }
        if (r == null) {
            throw new RouterException("router " + config.routerName() + " returned no current routing (null)");
        }
        return r;
    }

    @Override
    public String toString() {
        return "Engine[router=" + config.routerName() + ", launcher=" + (config.launcher() == null ? "none"
                : config.launcher().getClass().getSimpleName()) + ", probe=" + (config.probe() == null ? "none"
                : config.probe().getClass().getSimpleName()) + ", checks=" + config.checks().keySet() + ", hooks="
                + config.hooks().keySet() + "]";
    }

    /**
     * Builds an {@link Engine}. Every setter validates its argument and names the bad value. Not thread-safe.
     */
    public static final class Builder {
        private TrafficRouter router;
        private TargetLauncher launcher;
        private HealthProbe probe;
        private ProbePolicy probePolicy = ProbePolicy.DEFAULTS;
        private Scheduler scheduler;
        private Executor executor;
        private final List<DeploymentListener> listeners = new ArrayList<>();
        private final Map<String, DeploymentCheck> checks = new LinkedHashMap<>();
        private final Map<String, DeploymentHook> hooks = new LinkedHashMap<>();
        private Duration stepDeadline = DEFAULT_STEP_DEADLINE;
        private Duration deploymentDeadline;
        private boolean inconclusiveAsPass;
        private GradualRollback gradualRollback;
        private JournalStore journal;
        private DeploymentLock lock;
        private Duration lockWait = Duration.ZERO;
        private DeployWindowPolicy policy;
        private RecoveryMode recovery = RecoveryMode.ROLL_BACK;

        private Builder() {
        }

        /**
         * Journals every deployment durably (one record per service) so that one interrupted by a crash is recovered by
         * the next start. Default: none. Use a {@link #lock(DeploymentLock) lock} with it, so that a deployment running
         * in another process is never mistaken for an interrupted one.
         */
        public Builder journal(JournalStore v) {
            journal = Arguments.notNull("journal", v);
            return this;
        }

        /**
         * At most one deployment per service at a time; a second one is refused naming the holder. Its grants are
         * leases: renewed while the deployment runs and checked before every router apply, launcher call and journal
         * write (see {@code docs/leases.md}). Default: none.
         */
        public Builder lock(DeploymentLock v) {
            lock = Arguments.notNull("lock", v);
            return this;
        }

        /**
         * With a {@link #lock(DeploymentLock) lock}: wait up to this long (through the scheduler) for a busy lock
         * instead of refusing; the deployment stays PENDING meanwhile and plans once it has the lock. Default zero:
         * refuse at once.
         */
        public Builder lockWait(Duration v) {
            lockWait = Arguments.nonNegative("lockWait", v);
            return this;
        }

        /** Deploy windows checked when a deployment starts (refuse, or wait as the policy says). Default: none. */
        public Builder policy(DeployWindowPolicy v) {
            policy = Arguments.notNull("policy", v);
            return this;
        }

        /** What to do with an interrupted deployment found in the journal. Default {@link RecoveryMode#ROLL_BACK}. */
        public Builder recovery(RecoveryMode v) {
            recovery = Arguments.notNull("recovery", v);
            return this;
        }

        /** The router (required). */
        public Builder router(TrafficRouter v) {
            router = Arguments.notNull("router", v);
            return this;
        }

        /** Starts and stops targets. Default: none (Launch steps are then refused; Retire leaves targets running). */
        public Builder launcher(TargetLauncher v) {
            launcher = Arguments.notNull("launcher", v);
            return this;
        }

        /** Probes targets for AwaitHealthy steps. Default: none (AwaitHealthy steps are then refused). */
        public Builder probe(HealthProbe v) {
            probe = Arguments.notNull("probe", v);
            return this;
        }

        /** How probes are run. Default {@link ProbePolicy#DEFAULTS}. */
        public Builder probePolicy(ProbePolicy v) {
            probePolicy = Arguments.notNull("probePolicy", v);
            return this;
        }

        /** Timers and the clock. Default {@link Schedulers#system()}. */
        public Builder scheduler(Scheduler v) {
            scheduler = Arguments.notNull("scheduler", v);
            return this;
        }

        /**
         * Runs the blocking calls (router, probes, launcher, checks, hooks). Default: probes, checks and hooks on a shared
         * pool of up to 64 daemon threads; router and launcher calls on daemon threads created as needed, which each
         * deployment bounds itself (one router call, at most 16 launcher calls at a time), so that a call stuck in
         * one deployment never delays another one. A given executor runs all of them: size it for the deployments
         * that may run at once. With a {@link dev.zdd.core.testing.VirtualScheduler} the default is its
         * {@code executor()}, and only its {@code executor()} or {@code inlineExecutor()} is accepted (any other would
         * run calls outside virtual time and make outcomes random): {@link #build()} refuses the mix.
         */
        public Builder executor(Executor v) {
            executor = Arguments.notNull("executor", v);
            return this;
        }

        /** Adds a listener; listeners are called in the order added. */
        public Builder listener(DeploymentListener v) {
            listeners.add(Arguments.notNull("listener", v));
            return this;
        }

        /** Registers a check for {@code Step.Check(name)}; the name follows the id pattern and is unique. */
        public Builder check(String name, DeploymentCheck v) {
            Arguments.matches("check name", name, NAME, NAME_RULE);
            if (checks.containsKey(name)) {
                throw new IllegalArgumentException("check name '" + name + "' is already registered");
            }
            checks.put(name, Arguments.notNull("check '" + name + "'", v));
            return this;
        }

        /** Registers a hook for {@code Step.Hook(name)}; the name follows the id pattern and is unique. */
        public Builder hook(String name, DeploymentHook v) {
            Arguments.matches("hook name", name, NAME, NAME_RULE);
            if (hooks.containsKey(name)) {
                throw new IllegalArgumentException("hook name '" + name + "' is already registered");
            }
            hooks.put(name, Arguments.notNull("hook '" + name + "'", v));
            return this;
        }

        /**
         * Bound of every blocking call; positive. Default {@link #DEFAULT_STEP_DEADLINE}. A huge value (such as
         * {@code ChronoUnit.FOREVER.getDuration()}) means "no bound" and saturates where it is added to other durations.
         */
        public Builder stepDeadline(Duration v) {
            stepDeadline = Arguments.positive("stepDeadline", v);
            return this;
        }

        /**
         * Bound of a whole deployment from its first step to its last (Argo's progress deadline), pauses and gates
         * included; when it passes, the step in progress fails and the deployment rolls back (past a point of no
         * return it waits for a person instead). Positive. Default: none.
         */
        public Builder deploymentDeadline(Duration v) {
            deploymentDeadline = Arguments.positive("deploymentDeadline", v);
            return this;
        }

        /**
         * Roll back in steps instead of all at once (see {@link GradualRollback}). Default none: a rollback restores
         * the routing read before the deployment in one apply.
         */
        public Builder gradualRollback(GradualRollback v) {
            gradualRollback = Arguments.notNull("gradualRollback", v);
            return this;
        }

        /** Whether an INCONCLUSIVE check verdict passes. Default {@code false}: it rolls back. */
        public Builder inconclusiveAsPass(boolean v) {
            inconclusiveAsPass = v;
            return this;
        }

        /**
         * Builds; throws {@link IllegalArgumentException} when the router is missing, when {@code lockWait} is set
         * without a lock, or when a virtual scheduler is mixed with an executor that is not its own.
         */
        public Engine build() {
            if (router == null) {
                throw new IllegalArgumentException("router must be set (Engine.builder().router(...))");
            }
            if (lockWait.compareTo(Duration.ZERO) > 0 && lock == null) {
                throw new IllegalArgumentException("lockWait " + lockWait + " needs a lock (Engine.builder().lock(...))");
            }
            Scheduler s = scheduler == null ? Schedulers.system() : scheduler;
            Executor e = executor;
            if (s instanceof dev.zdd.core.testing.VirtualScheduler vs) {
                if (e == null) {
                    e = vs.executor();
                } else if (e != vs.executor() && e != vs.inlineExecutor()) {
                    throw new IllegalArgumentException("executor " + e + " cannot run the blocking calls of an engine on a"
                            + " VirtualScheduler: they would run outside virtual time and outcomes would be random; omit"
                            + " .executor(...) or pass the scheduler's own executor() or inlineExecutor()");
                }
            } else if (dev.zdd.core.testing.VirtualScheduler.isVirtualExecutor(e)) {
                throw new IllegalArgumentException("the executor of a VirtualScheduler only runs when that scheduler is"
                        + " driven: give the engine that scheduler too (.scheduler(time)), or omit .executor(...)");
            }
            Reliability rel = new Reliability(journal, lock, lockWait, DeploymentLocks.DEFAULT_RETRY_EVERY, policy, recovery);
            return new Engine(new EngineConfig(router, launcher, probe, probePolicy, s,
                    e == null ? BlockingPool.shared() : e, e == null ? BlockingPool.lanes() : e, listeners, checks, hooks,
                    stepDeadline, inconclusiveAsPass, DEFAULT_DRAIN_POLL, DEFAULT_ROLLBACK_GRACE, DEFAULT_ROLLBACK_RETRIES,
                    DEFAULT_ROLLBACK_BACKOFF, deploymentDeadline, gradualRollback), rel);
        }
    }
}
