package dev.zdd.core.guard;

import dev.zdd.api.Arguments;
import dev.zdd.api.Cancellable;
import dev.zdd.api.Deployment;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Scheduler;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Schedulers;
import dev.zdd.core.lock.DeploymentLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The steady-state health guard of one service behind one router: failover between deployments.
 *
 * <p>Every {@link ProbePolicy#period()} (first after {@link ProbePolicy#initialDelay()}) it probes the serving targets
 * of the table it guards with the {@link HealthProbe}, each attempt limited to {@link ProbePolicy#timeout()} (a slower
 * one counts as UNHEALTHY "timed out"). A target that fails {@link ProbePolicy#failureThreshold()} consecutive probes
 * is taken out of traffic through the router (its route DISABLED, its weight handed to the other serving targets of its
 * version so each version keeps its share); {@link ProbePolicy#successThreshold()} consecutive successes put it back.
 * It never takes out the last serving target of a version: that target stays, and {@link GuardEvent.FloorHeld} says so.
 * Deadline and startup grace of the policy are not used (the guard runs until closed).
 *
 * <p>Drift: each round it reads {@link TrafficRouter#current()} and compares it ({@link Routing#sameTrafficAs}) with the
 * last table zdd committed (the table at {@link #start()}, the guard's own applies, or what a deployment left). When the
 * router no longer serves it (an HAProxy reload without a server-state file, a restart, a hand edit) the guard applies
 * it again ({@link DriftAction#REAPPLY}, the default) or only reports ({@link DriftAction#REPORT}, once per drifted
 * table); both raise {@link GuardEvent.DriftDetected}.
 *
 * <p>One owner of the routing at a time. While a deployment of the service runs, the guard never applies a table.
 * Start deployments through {@link #deploy(Supplier)} (or hand a running one over with {@link #handOver(Deployment)}):
 * the guard waits for a round that is applying to finish, hands the routing to the deployment, and keeps probing the
 * serving targets the router reports. A target that fails its threshold is reported to the deployment
 * ({@link GuardEvent.ReportedToDeployment}): when the deployment brought it (it was not in the table at hand-over) and
 * {@link DuringDeployment#ABORT} is chosen (the default), the guard aborts the deployment, which rolls back; otherwise
 * it only reports and acts after the deployment. When the deployment ends, the guard takes the routing back: if the
 * router serves the table of the hand-over (a rollback), it guards that again with the targets it had ejected still
 * out; otherwise it guards what the deployment left, with nothing ejected, and ejects what still fails from the next
 * round on.
 *
 * <p>Thread-safe. Rounds never overlap; events are delivered in order under the guard's lock (listeners must not
 * block). Build with {@link #builder(TrafficRouter, HealthProbe)}; {@link #close()} stops it.
 */
public final class Guard implements AutoCloseable {
    /** Default probe policy: period 5 s, timeout 1 s, failure threshold 3, success threshold 2. */
    public static final ProbePolicy DEFAULT_POLICY = ProbePolicy.builder().period(Duration.ofSeconds(5))
            .timeout(Duration.ofSeconds(1)).failureThreshold(3).successThreshold(2).build();
    /** Default drift action: {@link DriftAction#REAPPLY}. */
    public static final DriftAction DEFAULT_DRIFT_ACTION = DriftAction.REAPPLY;
    /** Default behaviour while a deployment owns the routing: {@link DuringDeployment#ABORT}. */
    public static final DuringDeployment DEFAULT_DURING_DEPLOYMENT = DuringDeployment.ABORT;

    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);

    /** What the guard does when the router no longer serves the committed table. Thread-safe (an enum). */
    public enum DriftAction {
        /** Apply the committed table again. */
        REAPPLY,
        /** Raise {@link GuardEvent.DriftDetected} only (once per drifted table). */
        REPORT
    }

    /** What the guard does with a target that fails while a deployment owns the routing. Thread-safe (an enum). */
    public enum DuringDeployment {
        /** Abort the deployment (it rolls back) when the failing target is one it brought; report the others. */
        ABORT,
        /** Report only; act after the deployment. */
        REPORT
    }

    /** Who may apply tables now. */
    private enum Owner {
        NEW, GUARD, DEPLOYMENT, CLOSED
    }

    private final TrafficRouter router;
    private final HealthProbe probe;
    private final ProbePolicy policy;
    private final Scheduler scheduler;
    private final Executor executor;
    private final ExecutorService ownExecutor;
    private final DriftAction driftAction;
    private final DuringDeployment duringDeployment;
    private final List<GuardListener> listeners;
    private final Routing initial;
    private final SharedLease shared;

    private final Object lock = new Object();
    private Owner owner = Owner.NEW;
    private Routing base = Routing.EMPTY;
    private final Set<String> ejected = new LinkedHashSet<>();
    private Routing committed = Routing.EMPTY;
    private final Map<String, HealthCounter> counters = new HashMap<>();
    private final Map<String, String> lastReason = new HashMap<>();
    private final Set<String> floorReported = new HashSet<>();
    private Routing reportedDrift;
    private Deployment deployment;
    private Routing handOverCommitted;
    private Routing handOverBase;
    private Set<String> handOverEjected = Set.of();
    private final Set<String> reportedToDeployment = new HashSet<>();
    private Cancellable next;
    /** Who holds the service's lease in another process, as last reported; null when nobody (or not shared). */
    private String foreignHolder;

    private Guard(Builder b) {
        this.router = b.router;
        this.probe = b.probe;
        this.policy = b.policy;
        this.scheduler = b.scheduler != null ? b.scheduler : Schedulers.system();
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownExecutor = null;
        } else {
            AtomicInteger n = new AtomicInteger();
            this.ownExecutor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "zdd-guard-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.executor = ownExecutor;
        }
        this.driftAction = b.driftAction;
        this.duringDeployment = b.duringDeployment;
        this.listeners = List.copyOf(b.listeners);
        this.initial = b.committed;
        this.shared = new SharedLease(b.lock, b.service, this.scheduler.clock());
    }

    /** A builder for a guard of the service behind {@code router}, probing with {@code probe}. */
    public static Builder builder(TrafficRouter router, HealthProbe probe) {
        return new Builder(router, probe);
    }

    /**
     * Starts guarding: takes the committed table ({@link Builder#committed(Routing)}, else {@link TrafficRouter#current()})
     * and schedules the first round after {@link ProbePolicy#initialDelay()}.
     *
     * @throws IllegalStateException when started twice or closed
     */
    public Guard start() {
        Routing first = initial != null ? initial : GuardTables.intent(router.current());
        synchronized (lock) {
            if (owner != Owner.NEW) {
                throw new IllegalStateException("guard already started or closed");
            }
            owner = Owner.GUARD;
            base = first;
            committed = first;
            next = scheduler.schedule(policy.initialDelay(), this::round);
        }
        return this;
    }

    /**
     * Starts a deployment of the guarded service with the routing handed to it: waits for a round that is applying
     * to finish, stops applying, calls {@code start} (e.g. {@code () -> engine.start(spec, strategy)}) and takes the
     * routing back when the deployment ends.
     *
     * @return the deployment {@code start} returned
     */
    public Deployment deploy(Supplier<Deployment> start) {
        Arguments.notNull("start", start);
        synchronized (lock) {
            requireRunning();
            enterDeployment(null);
        }
        Deployment d;
        try {
            d = Arguments.notNull("the deployment returned by start", start.get());
        } catch (RuntimeException e) {
            takeBack(null);
            throw e;
        }
        handOver(d);
        return d;
    }

    /** Hands the routing to {@code d}, already started (prefer {@link #deploy(Supplier)}, which has no gap). */
    public void handOver(Deployment d) {
        Arguments.notNull("deployment", d);
        synchronized (lock) {
            requireRunning();
            if (owner != Owner.DEPLOYMENT || deployment != null) {
                enterDeployment(d);
            }
            deployment = d;
        }
        d.completion().whenComplete((r, e) -> executor.execute(() -> takeBack(d)));
    }

    /** The table the guard guards now (without the targets it ejected), or the hand-over table while a deployment runs. */
    public Routing committed() {
        synchronized (lock) {
            return committed;
        }
    }

    /** Ids of the targets the guard has taken out, in the order taken out. */
    public Set<String> ejected() {
        synchronized (lock) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(ejected));
        }
    }

    /** {@code true} while a deployment owns the routing. */
    public boolean deferring() {
        synchronized (lock) {
            return owner == Owner.DEPLOYMENT;
        }
    }

    /** Stops the guard; it applies nothing more. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            owner = Owner.CLOSED;
            if (next != null) {
                next.cancel();
            }
        }
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------------------------ ownership

    private void requireRunning() {
        if (owner == Owner.NEW || owner == Owner.CLOSED) {
            throw new IllegalStateException("guard is " + (owner == Owner.NEW ? "not started" : "closed"));
        }
    }

    private void enterDeployment(Deployment d) {
        if (owner == Owner.DEPLOYMENT) {
            throw new IllegalStateException("a deployment already owns the routing of this guard");
        }
        owner = Owner.DEPLOYMENT;
        deployment = d;
        handOverCommitted = committed;
        handOverBase = base;
        handOverEjected = Set.copyOf(ejected);
        reportedToDeployment.clear();
        emit(new GuardEvent.OwnerChanged(scheduler.clock().now(), d == null ? "(starting)" : d.id(), true, committed));
    }

    private void takeBack(Deployment d) {
        Routing now;
        try {
            now = GuardTables.intent(router.current());
        } catch (RuntimeException e) {
            now = null;
            emit(new GuardEvent.RouterFailed(scheduler.clock().now(), String.valueOf(e.getMessage())));
        }
        synchronized (lock) {
            if (owner != Owner.DEPLOYMENT || deployment != d) {
                return;
            }
            ejected.clear();
            if (now == null || now.sameTrafficAs(handOverCommitted)) {
                // rolled back (or unreadable): guard the table of the hand-over again, with its ejections
                base = handOverBase;
                ejected.addAll(handOverEjected);
                committed = handOverCommitted;
            } else {
                base = now;
                committed = now;
            }
            floorReported.clear();
            reportedDrift = null;
            owner = Owner.GUARD;
            String id = d == null ? "(not started)" : d.id();
            deployment = null;
            emit(new GuardEvent.OwnerChanged(scheduler.clock().now(), id, false, committed));
        }
    }

    // ------------------------------------------------------------------------------------------------ rounds

    private void round() {
        executor.execute(this::roundBody);
    }

    private void roundBody() {
        long started = scheduler.clock().nanoTime();
        Routing now = null;
        try {
            now = router.current();
        } catch (RuntimeException e) {
            emit(new GuardEvent.RouterFailed(scheduler.clock().now(), String.valueOf(e.getMessage())));
        }
        List<Target> targets;
        synchronized (lock) {
            if (owner == Owner.CLOSED) {
                return;
            }
            if (owner == Owner.GUARD && now != null) {
                Routing read = now;
                noteHolder(shared.turn(() -> {
                    adoptIfOthersHeld(read);
                    checkDrift(read);
                }));
            }
            targets = owner == Owner.GUARD ? base.servingTargets() : now == null ? List.of() : now.servingTargets();
        }
        GuardProbes.probeAll(scheduler, executor, probe, policy, targets).whenComplete((results, e) -> {
            try {
                if (results != null) {
                    evaluate(results);
                }
            } catch (RuntimeException ex) {
                LOG.warn("guard round failed", ex);
            } finally {
                scheduleNext(started);
            }
        });
    }

    private void scheduleNext(long startedNanos) {
        synchronized (lock) {
            if (owner == Owner.CLOSED) {
                return;
            }
            long spent = scheduler.clock().nanoTime() - startedNanos;
            Duration delay = policy.period().minusNanos(Math.max(0, spent));
            next = scheduler.schedule(delay.isNegative() ? Duration.ZERO : delay, this::round);
        }
    }

    /** Reports a deployer of another process holding the service's lease (once per holder), or its end. */
    private void noteHolder(String heldBy) {
        if (heldBy != null && !heldBy.equals(foreignHolder)) {
            emit(new GuardEvent.OwnerChanged(scheduler.clock().now(), heldBy, true, committed));
        }
        foreignHolder = heldBy;
    }

    /**
     * After a deployer of another process held the service's lease, the router's table is that deployer's result, not
     * drift: guard it from now on, with nothing ejected.
     */
    private void adoptIfOthersHeld(Routing now) {
        if (!shared.othersHeld()) {
            return;
        }
        shared.adopted();
        Routing table = GuardTables.intent(now);
        if (table.sameTrafficAs(committed)) {
            return;
        }
        ejected.clear();
        base = table;
        committed = table;
        floorReported.clear();
        reportedDrift = null;
        emit(new GuardEvent.OwnerChanged(scheduler.clock().now(), "(another process)", false, committed));
    }

    private void checkDrift(Routing now) {
        if (now.sameTrafficAs(committed)) {
            reportedDrift = null;
            return;
        }
        if (driftAction == DriftAction.REAPPLY) {
            String error = "";
            try {
                router.apply(committed);
            } catch (RuntimeException e) {
                error = String.valueOf(e.getMessage());
            }
            emit(new GuardEvent.DriftDetected(scheduler.clock().now(), committed, now, true, error));
        } else if (reportedDrift == null || !reportedDrift.sameTrafficAs(now)) {
            reportedDrift = now;
            emit(new GuardEvent.DriftDetected(scheduler.clock().now(), committed, now, false, ""));
        }
    }

    private void evaluate(Map<Target, HealthResult> results) {
        synchronized (lock) {
            if (owner == Owner.CLOSED) {
                return;
            }
            List<Target> failedNow = new ArrayList<>();
            List<Target> recovered = new ArrayList<>();
            for (Map.Entry<Target, HealthResult> e : results.entrySet()) {
                Target t = e.getKey();
                HealthResult r = e.getValue();
                emit(new GuardEvent.Probed(scheduler.clock().now(), t, r));
                lastReason.put(t.id(), r.reason());
                HealthCounter.Verdict v = counters.computeIfAbsent(t.id(), k -> new HealthCounter(policy)).count(r.status());
                if (v == HealthCounter.Verdict.FAILING) {
                    failedNow.add(t);
                } else if (v == HealthCounter.Verdict.HEALTHY) {
                    recovered.add(t);
                    floorReported.remove(t.id());
                }
            }
            if (owner == Owner.DEPLOYMENT) {
                for (Target t : failedNow) {
                    reportToDeployment(t);
                }
                return;
            }
            actAsOwner(recovered);
        }
    }

    private void reportToDeployment(Target t) {
        if (!reportedToDeployment.add(t.id())) {
            return;
        }
        boolean brought = handOverCommitted.route(t.id()).isEmpty();
        boolean abort = brought && duringDeployment == DuringDeployment.ABORT && deployment != null;
        String reason = lastReason.getOrDefault(t.id(), "");
        if (abort) {
            deployment.abort("guard: target " + t.id() + " (" + t.version() + ") failed " + policy.failureThreshold()
                    + " consecutive probes: " + reason);
        }
        emit(new GuardEvent.ReportedToDeployment(scheduler.clock().now(), deployment == null ? "(starting)" : deployment.id(),
                t, reason, abort));
    }

    /** The guard owns the routing: eject what fails (floor permitting), reinstate what recovered, apply once. */
    private void actAsOwner(List<Target> recovered) {
        Set<String> before = new LinkedHashSet<>(ejected);
        List<Target> reinstated = new ArrayList<>();
        for (Target t : recovered) {
            if (ejected.remove(t.id())) {
                reinstated.add(t);
            }
        }
        List<Target> out = new ArrayList<>();
        for (Route r : base.routes()) {
            Target t = r.target();
            HealthCounter c = counters.get(t.id());
            if (!r.serving() || ejected.contains(t.id()) || c == null || c.verdict() != HealthCounter.Verdict.FAILING) {
                continue;
            }
            if (GuardTables.lastOfVersion(base, ejected, t)) {
                if (floorReported.add(t.id())) {
                    emit(new GuardEvent.FloorHeld(scheduler.clock().now(), t, lastReason.getOrDefault(t.id(), "")));
                }
                continue;
            }
            ejected.add(t.id());
            out.add(t);
        }
        if (ejected.equals(before)) {
            return;
        }
        Routing table = GuardTables.without(base, ejected);
        boolean[] applied = {false};
        String heldBy;
        try {
            heldBy = shared.turn(() -> {
                if (!shared.othersHeld()) { // else the base is another deployer's past: the next round adopts
                    router.apply(table);
                    applied[0] = true;
                }
            });
        } catch (RuntimeException e) {
            ejected.clear();
            ejected.addAll(before);
            emit(new GuardEvent.RouterFailed(scheduler.clock().now(), String.valueOf(e.getMessage())));
            return;
        }
        if (!applied[0]) {
            ejected.clear();
            ejected.addAll(before);
            noteHolder(heldBy);
            return;
        }
        committed = table;
        for (Target t : out) {
            emit(new GuardEvent.TargetEjected(scheduler.clock().now(), t, lastReason.getOrDefault(t.id(), ""), table));
        }
        for (Target t : reinstated) {
            emit(new GuardEvent.TargetReinstated(scheduler.clock().now(), t, table));
        }
    }

    private void emit(GuardEvent e) {
        if (!(e instanceof GuardEvent.Probed)) {
            LOG.info("guard: {}", e.describe());
        }
        for (GuardListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException ex) {
                LOG.warn("guard listener {} threw on {}", l, e.describe(), ex);
            }
        }
    }

    @Override
    public String toString() {
        return "Guard[" + router + "]";
    }

    /** Builds a {@link Guard}. Not thread-safe. */
    public static final class Builder {
        private final TrafficRouter router;
        private final HealthProbe probe;
        private ProbePolicy policy = DEFAULT_POLICY;
        private Scheduler scheduler;
        private Executor executor;
        private DriftAction driftAction = DEFAULT_DRIFT_ACTION;
        private DuringDeployment duringDeployment = DEFAULT_DURING_DEPLOYMENT;
        private final List<GuardListener> listeners = new ArrayList<>();
        private Routing committed;
        private DeploymentLock lock;
        private String service;

        private Builder(TrafficRouter router, HealthProbe probe) {
            this.router = Arguments.notNull("router", router);
            this.probe = Arguments.notNull("probe", probe);
        }

        /** Period, timeout and thresholds of the probing. Default {@link #DEFAULT_POLICY}. */
        public Builder policy(ProbePolicy v) {
            policy = Arguments.notNull("policy", v);
            return this;
        }

        /** Where rounds and probe timeouts are scheduled. Default {@link Schedulers#system()}. */
        public Builder scheduler(Scheduler v) {
            scheduler = Arguments.notNull("scheduler", v);
            return this;
        }

        /** Runs probes and router calls. Default: the guard's own daemon threads, stopped by {@link #close()}. */
        public Builder executor(Executor v) {
            executor = Arguments.notNull("executor", v);
            return this;
        }

        /** What to do on drift. Default {@link #DEFAULT_DRIFT_ACTION}. */
        public Builder onDrift(DriftAction v) {
            driftAction = Arguments.notNull("onDrift", v);
            return this;
        }

        /** What to do with a failing target while a deployment owns the routing. Default {@link #DEFAULT_DURING_DEPLOYMENT}. */
        public Builder duringDeployment(DuringDeployment v) {
            duringDeployment = Arguments.notNull("duringDeployment", v);
            return this;
        }

        /** Adds a listener. Default none. */
        public Builder listener(GuardListener v) {
            listeners.add(Arguments.notNull("listener", v));
            return this;
        }

        /**
         * The table zdd committed last, when the router may not serve it at start (e.g. HAProxy was reloaded before
         * the guard's process started). Default: what the router serves at {@link Guard#start()}.
         */
        public Builder committed(Routing v) {
            committed = GuardTables.intent(Arguments.notNull("committed", v));
            return this;
        }

        /**
         * Shares the routing with deployers in other processes through the service's deployment lock (the one their
         * engines use): every guard apply holds the lease for the call, nothing is applied while a deployer holds it,
         * and after a deployer held it (its fencing token grew by more than the guard's own turns) the router's table
         * is taken as the new committed one, never re-applied over as drift. Default none: the guard knows only the
         * deployments started through {@link Guard#deploy(Supplier)}, and a deployment run by another process looks
         * like drift (use {@link DriftAction#REPORT} then). A lock without fencing tokens makes every turn look like
         * another's: the guard then never re-applies drift.
         */
        public Builder lease(DeploymentLock lock, String service) {
            this.lock = Arguments.notNull("lock", lock);
            if (Arguments.notNull("service", service).isBlank()) {
                throw new IllegalArgumentException("guard.lease service must not be blank, was '" + service + "'");
            }
            this.service = service;
            return this;
        }

        /** Builds (does not start). */
        public Guard build() {
            return new Guard(this);
        }
    }
}
