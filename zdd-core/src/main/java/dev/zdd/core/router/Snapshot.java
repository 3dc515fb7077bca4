package dev.zdd.core.router;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Target;
import dev.zdd.core.internal.io.StableHash;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The immutable choice structure of one applied table. */
final class Snapshot {
    final Routing routing;
    final Target[] targets;     // every route's target, in route order
    final RouterCounters[] counters;  // aligned with targets
    final boolean[] serving;    // aligned with targets
    final Group all;            // all serving routes
    final Group[] versions;     // serving versions in order of first appearance
    final Map<String, Group> byVersion;
    final List<CompiledRule> rules;
    final dev.zdd.api.RequestKey stickyKey;

    Snapshot(Routing routing, InProcessRouter owner) {
        this.routing = routing;
        int n = routing.routes().size();
        targets = new Target[n];
        counters = new RouterCounters[n];
        serving = new boolean[n];
        Map<String, List<Integer>> members = new LinkedHashMap<>();
        Map<String, List<Integer>> activeMembers = new HashMap<>();
        List<Integer> allMembers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Route r = routing.routes().get(i);
            targets[i] = r.target();
            counters[i] = owner.countersOf(r.target().id());
            serving[i] = r.serving();
            if (r.state() == dev.zdd.api.RouteState.ACTIVE) {
                activeMembers.computeIfAbsent(r.target().version(), v -> new ArrayList<>()).add(i);
            }
            if (r.serving()) {
                members.computeIfAbsent(r.target().version(), v -> new ArrayList<>()).add(i);
                allMembers.add(i);
            }
        }
        all = new Group(null, allMembers, routing, false);
        versions = new Group[members.size()];
        byVersion = new HashMap<>();
        int k = 0;
        for (Map.Entry<String, List<Integer>> e : members.entrySet()) {
            Group g = new Group(e.getKey(), e.getValue(), routing, false);
            versions[k++] = g;
            byVersion.put(e.getKey(), g);
        }
        List<CompiledRule> rs = new ArrayList<>();
        for (Rule rule : routing.rules()) {
            // A rule reaches its version's ACTIVE targets even when they have no weighted share (weight 0), e.g.
            // a blue-green preview; then they are chosen evenly.
            Group g = byVersion.get(rule.version());
            if (g == null && activeMembers.containsKey(rule.version())) {
                g = new Group(rule.version(), activeMembers.get(rule.version()), routing, true);
            }
            rs.add(new CompiledRule(rule, g));
        }
        rules = List.copyOf(rs);
        stickyKey = routing.stickiness() == null ? null : routing.stickiness().key();
    }

    boolean serves(Target t) {
        for (int i = 0; i < targets.length; i++) {
            if (serving[i] && targets[i].equals(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code i}, or when {@code bad} rejects its target, another serving target by weight: of the same version
     * first, else of any version; {@code i} itself when every serving target is rejected.
     */
    int alternative(int i, java.util.function.Predicate<String> bad) {
        if (!bad.test(targets[i].id())) {
            return i;
        }
        Group g = byVersion.get(targets[i].version());
        int j = g == null ? -1 : g.randomExcept(bad, targets);
        if (j < 0) {
            j = all.randomExcept(bad, targets);
        }
        return j < 0 ? i : j;
    }

    /** Index into {@link #targets}, or -1. */
    int choose(RequestInfo request) {
        String stickyValue = stickyKey == null ? null : request.value(stickyKey).orElse(null);
        for (CompiledRule rule : rules) {
            if (rule.group == null) {
                continue;
            }
            String v = request.value(rule.rule.key()).orElse(null);
            if (v != null && rule.rule.values().contains(v)) {
                return stickyValue == null ? rule.group.random()
                        : rule.group.at(StableHash.unit(StableHash.second(StableHash.hash64(stickyValue))));
            }
        }
        if (all.total == 0) {
            return -1;
        }
        if (stickyValue == null) {
            return all.random();
        }
        long h = StableHash.hash64(stickyValue);
        long point = Math.min(all.total - 1, (long) (StableHash.unit(h) * all.total));
        long upper = 0;
        for (Group g : versions) {
            upper += g.total;
            if (point < upper) {
                return g.at(StableHash.unit(StableHash.second(h)));
            }
        }
        return versions[versions.length - 1].at(StableHash.unit(StableHash.second(h)));
    }
}

/** Serving routes of one version (or of all versions) with cumulative weights. */
final class Group {
    final String version;
    final int[] index;
    final long[] cumulative;
    final long total;

    Group(String version, List<Integer> members, Routing routing, boolean evenly) {
        this.version = version;
        index = new int[members.size()];
        cumulative = new long[members.size()];
        long sum = 0;
        for (int i = 0; i < index.length; i++) {
            index[i] = members.get(i);
            sum += evenly ? 1 : routing.routes().get(index[i]).weight();
            cumulative[i] = sum;
        }
        total = sum;
    }

    int random() {
        return pick(ThreadLocalRandom.current().nextLong(total));
    }

    /** A member by weight among those {@code bad} does not reject, or -1. */
    int randomExcept(java.util.function.Predicate<String> bad, Target[] targets) {
        long total = 0;
        long[] cum = new long[index.length];
        for (int k = 0; k < index.length; k++) {
            long w = cumulative[k] - (k == 0 ? 0 : cumulative[k - 1]);
            total += bad.test(targets[index[k]].id()) ? 0 : w;
            cum[k] = total;
        }
        if (total == 0) {
            return -1;
        }
        long point = ThreadLocalRandom.current().nextLong(total);
        for (int k = 0; k < index.length; k++) {
            if (point < cum[k]) {
                return index[k];
            }
        }
        return -1;
    }

    int at(double unit) {
        return pick(Math.min(total - 1, (long) (unit * total)));
    }

    private int pick(long point) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (point < cumulative[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return index[lo];
    }

    @Override
    public String toString() {
        return "Group[" + version + ", total=" + total + "]";
    }
}

final class CompiledRule {
    final Rule rule;
    final Group group;

    CompiledRule(Rule rule, Group group) {
        this.rule = rule;
        this.group = group;
    }
}
