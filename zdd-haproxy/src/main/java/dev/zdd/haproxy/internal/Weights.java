package dev.zdd.haproxy.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure arithmetic of weights and hash ranges shared by the router and its tests. Stateless; thread-safe.
 */
public final class Weights {
    /** HAProxy's largest server weight. */
    public static final int HAPROXY_MAX = 256;
    /** Number of hash buckets of a sticky split: a key's hash modulo this picks its point. */
    public static final int BUCKETS = 10_000;

    private Weights() {
    }

    /**
     * Scales {@code weights} so that the largest becomes {@code max}; others are rounded, and a weight above 0 never
     * becomes 0.
     */
    public static int[] scale(int[] weights, int max) {
        int largest = 0;
        for (int w : weights) {
            largest = Math.max(largest, w);
        }
        int[] out = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                out[i] = (int) Math.max(1, Math.min(max, Math.round((double) weights[i] * max / largest)));
            }
        }
        return out;
    }

    /** Converts weights to basis points adding up to {@code total} (largest remainder); all zeros stay zeros. */
    public static int[] toBasisPoints(int[] weights, int total) {
        long sum = 0;
        for (int w : weights) {
            sum += w;
        }
        int[] out = new int[weights.length];
        if (sum == 0) {
            return out;
        }
        double[] rest = new double[weights.length];
        int given = 0;
        for (int i = 0; i < weights.length; i++) {
            double exact = (double) weights[i] * total / sum;
            out[i] = (int) Math.floor(exact);
            rest[i] = exact - out[i];
            given += out[i];
        }
        while (given < total) {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] > 0 && (best < 0 || rest[i] > rest[best])) {
                    best = i;
                }
            }
            out[best]++;
            rest[best] = -1;
            given++;
        }
        return out;
    }

    /** A serving server of a sticky split: its name, version and relative weight. */
    public record Slice(String server, String version, int weight) {
    }

    /**
     * The sticky map: consecutive hash ranges {@code lo:hi} (inclusive, within 0..{@link #BUCKETS}-1) to server names.
     * Versions take ranges in order of first appearance in {@code slices}, each as wide as its share of the total
     * weight; within a version its servers follow in order. So the first version's range only grows with its share.
     */
    public static Map<String, String> stickyRanges(List<Slice> slices) {
        Map<String, List<Slice>> byVersion = new LinkedHashMap<>();
        long total = 0;
        for (Slice s : slices) {
            if (s.weight() > 0) {
                byVersion.computeIfAbsent(s.version(), k -> new ArrayList<>()).add(s);
                total += s.weight();
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (total == 0) {
            return out;
        }
        long cum = 0;
        int prev = 0;
        for (List<Slice> group : byVersion.values()) {
            for (Slice s : group) {
                cum += s.weight();
                int end = (int) (cum * BUCKETS / total);
                if (end > prev) {
                    out.put(prev + ":" + (end - 1), s.server());
                    prev = end;
                }
            }
        }
        return out;
    }

    /** Parses a {@code lo:hi} range key; {@code null} when it is not one. */
    public static int[] parseRange(String key) {
        int colon = key.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            int lo = Integer.parseInt(key.substring(0, colon));
            int hi = Integer.parseInt(key.substring(colon + 1));
            return lo <= hi && lo >= 0 ? new int[] {lo, hi} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
