package dev.zdd.core.router;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The state of {@link OutlierDetection} in one {@link InProcessRouter}: failures in a row and ejections per target id.
 * Thread-safe: updates are synchronised; {@link #ejected(String)} reads a volatile per target.
 */
final class Ejections {
    private final OutlierDetection cfg;
    private final Map<String, State> states = new HashMap<>();

    /** One target's record. Fields other than {@code until} are guarded by the Ejections' lock. */
    private static final class State {
        int failures;
        volatile int times;
        volatile long until;

        /** Ejected at {@code now} (never before the first ejection). */
        boolean out(long now) {
            return times > 0 && now - until < 0;
        }
    }

    Ejections(OutlierDetection cfg) {
        this.cfg = cfg;
    }

    private long now() {
        return cfg.clock().nanoTime();
    }

    /** {@code true} while {@code targetId} is ejected. */
    boolean ejected(String targetId) {
        State s;
        synchronized (this) {
            s = states.get(targetId);
        }
        return s != null && s.out(now());
    }

    /** Ids ejected now. */
    synchronized Set<String> ejectedNow() {
        Set<String> out = new LinkedHashSet<>();
        long now = now();
        states.forEach((id, s) -> {
            if (s.out(now)) {
                out.add(id);
            }
        });
        return out;
    }

    /**
     * Records one finished call of {@code targetId} under {@code table}.
     *
     * @return the ejection time when this failure ejected the target, else {@code null}
     */
    synchronized Duration record(String targetId, boolean ok, Routing table) {
        State s = states.computeIfAbsent(targetId, k -> new State());
        long now = now();
        if (ok) {
            s.failures = 0;
            if (s.times > 0 && now - s.until > cfg.maxEjectionTime().toNanos()) {
                s.times = 0; // clean for a while: start again from the base time
            }
            return null;
        }
        if (s.out(now)) {
            return null; // already out (a call that was in flight when it was ejected)
        }
        s.failures++;
        if (s.failures < cfg.consecutiveFailures() || !mayEject(targetId, table, now)) {
            return null;
        }
        s.failures = 0;
        s.times++;
        Duration d = cfg.baseEjectionTime().multipliedBy(s.times);
        if (d.compareTo(cfg.maxEjectionTime()) > 0) {
            d = cfg.maxEjectionTime();
        }
        s.until = now + d.toNanos();
        return d;
    }

    /** Within the percentage, and never the last serving target of a version that is not out. */
    private boolean mayEject(String targetId, Routing table, long now) {
        int serving = 0;
        int out = 0;
        String version = null;
        for (Route r : table.routes()) {
            if (r.serving() && r.target().id().equals(targetId)) {
                version = r.target().version();
            }
        }
        if (version == null) {
            return false; // not serving in this table: nothing to take out
        }
        int othersOfVersion = 0;
        for (Route r : table.routes()) {
            if (!r.serving()) {
                continue;
            }
            serving++;
            State s = states.get(r.target().id());
            boolean isOut = s != null && s.out(now);
            if (isOut) {
                out++;
            } else if (!r.target().id().equals(targetId) && r.target().version().equals(version)) {
                othersOfVersion++;
            }
        }
        int allowed = Math.max(1, serving * cfg.maxEjectionPercent() / 100);
        return othersOfVersion > 0 && out < allowed && out + 1 < serving;
    }
}
