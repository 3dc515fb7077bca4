package dev.zdd.core.sim;

import dev.zdd.api.Deployment;
import dev.zdd.api.Endpoint;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.VirtualScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The true state of the simulated world, kept by the fakes: what the router really serves (including partial applies
 * and applies that landed after their deadline) and which instances really run (including launches that completed late
 * and retires that stopped the instance although the engine gave up on them). Also the run's trace and the handle
 * through which interjected calls reach the deployment. Thread-safe.
 */
final class World {
    private final VirtualScheduler time;
    private final FaultScript script;
    private final boolean verbose;
    private final List<String> trace = new ArrayList<>();
    private final Map<String, Target> running = new LinkedHashMap<>();
    private final Set<String> preexisting = new LinkedHashSet<>();
    private final Set<String> launchedNew = new LinkedHashSet<>();
    private final Map<String, Integer> faultCounts = new LinkedHashMap<>();
    private final List<String> touchedAfterEnd = new ArrayList<>();
    private final List<String> staleCalls = new ArrayList<>();
    private volatile java.util.function.Supplier<String> leaseState = () -> null;
    private volatile java.util.function.LongSupplier leaseToken = () -> 0;
    private Routing table;
    private int applies;
    private int launches;
    private int retires;
    private int nextHost = 1;
    private boolean completed;
    private volatile Deployment handle;

    World(VirtualScheduler time, FaultScript script, Routing initial, List<Target> runningAtStart, boolean verbose) {
        this.time = time;
        this.script = script;
        this.verbose = verbose;
        this.table = initial;
        for (Target t : runningAtStart) {
            running.put(t.id(), t);
            preexisting.add(t.id());
        }
    }

    VirtualScheduler time() {
        return time;
    }

    /** The next decision for a call of {@code kind}, counted and traced. */
    FaultScript.Decision next(CallKind kind, String what) {
        FaultScript.Decision d = script.next(kind);
        synchronized (this) {
            if (d.fault() != Fault.OK) {
                faultCounts.merge(kind + "." + d.fault(), 1, Integer::sum);
            }
            if (d.interject() != null) {
                faultCounts.merge("interject." + d.interject(), 1, Integer::sum);
            }
            if (completed && (kind == CallKind.ROUTER_APPLY || kind == CallKind.LAUNCH || kind == CallKind.RETIRE)) {
                touchedAfterEnd.add(what + " (" + kind + "#" + d.index() + ")");
            }
            if (kind == CallKind.ROUTER_APPLY || kind == CallKind.LAUNCH || kind == CallKind.RETIRE
                    || kind == CallKind.JOURNAL_WRITE) {
                String stale = leaseState.get();
                if (stale != null) {
                    staleCalls.add(what + " (" + kind + "#" + d.index() + ") at " + time.now() + " with a stale lease: "
                            + stale);
                }
            }
        }
        if (d.fault() != Fault.OK || d.interject() != null || verbose) {
            log("call " + d + ": " + what);
        }
        return d;
    }

    /** Runs an interjected handle call now, as a person's call arriving from another thread during the current call. */
    void interject(FaultScript.Decision d, FaultScript.When when) {
        if (d.interject() == null || d.when() != when) {
            return;
        }
        VirtualScheduler.meanwhile(() -> act(d.interject(), "during " + d.kind() + "#" + d.index()));
    }

    /** A person's call on the handle (skipped while the handle is not known yet: inside {@code engine.start}). */
    void act(HandleAction a, String why) {
        Deployment d = handle;
        if (d == null) {
            log("handle " + a + " " + why + ": skipped, no handle yet");
            return;
        }
        log("handle " + a + " " + why + " (status " + d.status() + ")");
        a.on(d, "sim: " + why);
    }

    void handle(Deployment d) {
        handle = d;
    }

    synchronized void log(String line) {
        trace.add(String.format("%10.3fs %s", time.nanoTime() / 1e9, line));
    }

    synchronized List<String> trace() {
        return List.copyOf(trace);
    }

    // ------------------------------------------------------------------------------------------------ router truth

    synchronized Routing table() {
        return table;
    }

    synchronized void applied(Routing r, String how) {
        table = r;
        applies++;
        log("router now serves " + r + (how.isEmpty() ? "" : " (" + how + ")"));
    }

    synchronized int applies() {
        return applies;
    }

    // ------------------------------------------------------------------------------------------------ instance truth

    /** Starts an instance with this id (replacing one running under the same id) on a new endpoint. */
    synchronized Target start(String id, String version, Map<String, String> attributes, String how) {
        Target t = new Target(id, version, new Endpoint("10.9." + (nextHost / 250) + "." + (nextHost % 250 + 1), 8080),
                attributes);
        nextHost++;
        Target was = running.put(id, t);
        launches++;
        if (!preexisting.contains(id)) {
            launchedNew.add(id);
        }
        log("instance " + t + " running" + (was == null ? "" : " (replaces " + was.endpoint() + ")")
                + (how.isEmpty() ? "" : " (" + how + ")"));
        return t;
    }

    /** Stops the instance {@code t} names, if that very instance (same endpoint) runs. */
    synchronized void stop(Target t, String how) {
        Target r = running.get(t.id());
        retires++;
        if (r != null && r.endpoint().equals(t.endpoint())) {
            running.remove(t.id());
            log("instance " + t.id() + " stopped" + (how.isEmpty() ? "" : " (" + how + ")"));
        } else {
            log("instance " + t.id() + " @" + t.endpoint() + " not running: nothing to stop");
        }
    }

    synchronized Map<String, Target> running() {
        return Map.copyOf(running);
    }

    synchronized boolean isRunning(Target t) {
        Target r = running.get(t.id());
        return r != null && r.endpoint().equals(t.endpoint());
    }

    synchronized Set<String> preexisting() {
        return Set.copyOf(preexisting);
    }

    /** Ids of instances launched during the run that did not run before it. */
    synchronized Set<String> launchedNew() {
        return Set.copyOf(launchedNew);
    }

    synchronized int launches() {
        return launches;
    }

    synchronized int retires() {
        return retires;
    }

    // ------------------------------------------------------------------------------------------------ end

    synchronized void completed() {
        if (!completed) {
            completed = true;
            log("completion() completed");
        }
    }

    synchronized boolean isCompleted() {
        return completed;
    }

    /** Counts an event of the run under {@code key} (reported with the injected faults). */
    synchronized void count(String key) {
        faultCounts.merge(key, 1, Integer::sum);
    }

    /** Tells the world how to know whether the run's lease is stale now (a reason, or null while current). */
    void leaseState(java.util.function.Supplier<String> state) {
        leaseState = state;
    }

    /** Tells the world the token of the lease's current holder. */
    void leaseToken(java.util.function.LongSupplier token) {
        leaseToken = token;
    }

    /** The token of the lease's current holder (0 without a lock): fenced collaborators refuse lower ones. */
    long leaseToken() {
        return leaseToken.getAsLong();
    }

    /** Router applies, launcher calls and journal writes made while the run's lease was expired or taken over. */
    synchronized List<String> staleCalls() {
        return List.copyOf(staleCalls);
    }

    synchronized List<String> touchedAfterEnd() {
        return List.copyOf(touchedAfterEnd);
    }

    synchronized Map<String, Integer> faultCounts() {
        return Map.copyOf(faultCounts);
    }

    /** The table as {@code id=weight} (or state) words, for messages. */
    static String routesById(Routing r) {
        StringBuilder sb = new StringBuilder();
        for (Route x : r.routes()) {
            sb.append(x.target().id()).append('=').append(x.serving() ? String.valueOf(x.weight()) : x.state().name())
                    .append(' ');
        }
        return sb.toString().trim();
    }

    static Duration plus(Duration a, Duration b) {
        try {
            return a.plus(b);
        } catch (ArithmeticException e) {
            return Dice.FOREVER;
        }
    }
}
