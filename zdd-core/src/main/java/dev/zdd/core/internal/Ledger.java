package dev.zdd.core.internal;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.Target;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one deployment has done to the world, as far as it knows: the targets it knows, what it launched and retired,
 * the launcher calls whose outcome is still in doubt, the routing it last applied, step outcomes and what is left for a
 * person. The rollback reads it to undo exactly what was done. Not thread-safe: confined to the deployment's actor.
 * Internal.
 */
final class Ledger {
    /** What the deployment believes about a target's process. */
    enum Life {
        /** Running as far as the deployment knows. */
        RUNNING,
        /** Retired: the launcher said it stopped. */
        STOPPED,
        /** A retire of it failed or was cut off and ended: it may be stopped, or half stopped. */
        MAYBE_STOPPED,
        /** A retire of it was cut off and never returned: it may be stopping right now. */
        STOPPING
    }

    /**
     * A launch whose outcome is unknown.
     *
     * @param version       the version it launched
     * @param callMayGoOn   whether its call may still be running (abandoned by its lane), rather than ended by a crash
     */
    record LaunchDoubt(String version, boolean callMayGoOn) {
    }

    final Routing routingBefore;
    final Map<String, Target> known = new HashMap<>();
    final Set<String> preexisting = new LinkedHashSet<>();
    final List<Target> launched = new ArrayList<>();
    final List<Target> retired = new ArrayList<>();
    /** Life of every target whose life is not plain RUNNING, in the order it changed (newest last). */
    final Map<String, Life> life = new LinkedHashMap<>();
    /** Launcher calls started and not yet settled (see {@link Calls.Settled}), by a description. */
    final Set<String> unsettled = new LinkedHashSet<>();
    /** Launches cut off whose call never returned (or a crash interrupted), by target id: an instance may be running. */
    final Map<String, LaunchDoubt> launchesInDoubt = new LinkedHashMap<>();
    final List<StepOutcome> outcomes = new ArrayList<>();
    final List<String> leftovers = new ArrayList<>();
    /** Router calls abandoned by the router lane: what, and whether they returned since. */
    final Map<String, Boolean> strayRouterCalls = new LinkedHashMap<>();
    Routing lastApplied;
    boolean routerTouched;
    boolean pastPointOfNoReturn;

    Ledger(Routing routingBefore, List<Target> specTargets) {
        this.routingBefore = routingBefore;
        this.lastApplied = routingBefore;
        for (Route r : routingBefore.routes()) {
            known.put(r.target().id(), r.target());
            preexisting.add(r.target().id());
        }
        for (Target t : specTargets) {
            known.putIfAbsent(t.id(), t);
            preexisting.add(t.id());
        }
    }

    Life life(String targetId) {
        return life.getOrDefault(targetId, Life.RUNNING);
    }

    /** Records {@code t} as launched (once per id); returns whether it is new. */
    boolean launched(Target t) {
        known.put(t.id(), t);
        for (Target l : launched) {
            if (l.id().equals(t.id()) && l.endpoint().equals(t.endpoint())) {
                return false;
            }
        }
        launched.add(t);
        life.remove(t.id());
        return true;
    }

    /** Records {@code t} as retired (once per id); returns whether it is new. */
    boolean retired(Target t) {
        life.remove(t.id());
        life.put(t.id(), Life.STOPPED);
        for (Target r : retired) {
            if (r.id().equals(t.id())) {
                return false;
            }
        }
        retired.add(t);
        return true;
    }

    /** A retire of {@code id} ended badly or was cut off: its process may be (half) stopped. */
    void maybeStopped(String id, boolean stillRunningCall) {
        life.remove(id);
        life.put(id, stillRunningCall ? Life.STOPPING : Life.MAYBE_STOPPED);
    }

    /** Launched targets not known to be stopped: what a rollback retires. */
    List<Target> launchedAlive() {
        List<Target> out = new ArrayList<>();
        for (Target t : launched) {
            if (life(t.id()) != Life.STOPPED) {
                out.add(t);
            }
        }
        return out;
    }

    /** Preexisting targets that may not be running any more, newest change first: what a rollback relaunches. */
    List<String> preexistingDown() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Life> e : life.entrySet()) {
            if (preexisting.contains(e.getKey()) && e.getValue() != Life.RUNNING) {
                out.add(0, e.getKey());
            }
        }
        return out;
    }

    /** Whether a retired (or maybe retired) target still has traffic in {@code routing}. */
    boolean routesToDown(Routing routing) {
        for (Route r : routing.routes()) {
            if (r.serving() && life(r.target().id()) != Life.RUNNING) {
                return true;
            }
        }
        return false;
    }
}
