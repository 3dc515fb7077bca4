package dev.zdd.core.analysis.internal;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MannWhitneyTest {

    /**
     * Reference computed differently from the production code: U by comparing every pair directly (no ranks), the tie
     * term from value counts in a hash map, and the normal tail by Simpson integration of the density (no erfc).
     */
    static double referenceP(double[] x, double[] y, MannWhitney.Alternative alt) {
        double u = 0;
        for (double a : x) {
            for (double b : y) {
                u += a > b ? 1 : a == b ? 0.5 : 0;
            }
        }
        Map<Double, Integer> counts = new HashMap<>();
        for (double a : x) {
            counts.merge(a, 1, Integer::sum);
        }
        for (double b : y) {
            counts.merge(b, 1, Integer::sum);
        }
        double n1 = x.length;
        double n2 = y.length;
        double n = n1 + n2;
        double ties = 0;
        for (int t : counts.values()) {
            ties += (double) t * t * t - t;
        }
        double var = n1 * n2 * (n + 1) / 12.0 - n1 * n2 * ties / (12.0 * n * (n - 1));
        if (var <= 1e-12) {
            return 1.0;
        }
        double mu = n1 * n2 / 2;
        double sd = Math.sqrt(var);
        switch (alt) {
            case GREATER:
                return tail((u - mu - 0.5) / sd);
            case LESS:
                return 1 - tail((u - mu + 0.5) / sd);
            default:
                return Math.min(1, 2 * tail((Math.abs(u - mu) - 0.5) / sd));
        }
    }

    /** P(Z &gt; z) = 1/2 - integral of the density from 0 to z, by composite Simpson's rule. */
    static double tail(double z) {
        int steps = 20_000;
        double h = z / steps;
        double sum = density(0) + density(z);
        for (int i = 1; i < steps; i++) {
            sum += density(i * h) * (i % 2 == 1 ? 4 : 2);
        }
        return 0.5 - sum * h / 3;
    }

    static double density(double t) {
        return Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
    }

    @Test
    void matchesIndependentReferenceOnRandomSamplesWithTies() {
        Random random = new Random(20261122L);
        int withTies = 0;
        for (int round = 0; round < 300; round++) {
            int n1 = 1 + random.nextInt(40);
            int n2 = 1 + random.nextInt(40);
            int kind = round % 3;
            double[] x = new double[n1];
            double[] y = new double[n2];
            double shift = random.nextInt(4);
            for (int i = 0; i < n1; i++) {
                x[i] = value(random, kind) + (random.nextBoolean() ? shift : 0);
            }
            for (int i = 0; i < n2; i++) {
                y[i] = value(random, kind);
            }
            if (hasTie(x, y)) {
                withTies++;
            }
            for (MannWhitney.Alternative alt : MannWhitney.Alternative.values()) {
                double expected = referenceP(x, y, alt);
                double actual = MannWhitney.test(x, y, alt).pValue();
                assertEquals(expected, actual, 1e-6, () -> "round with n1=" + n1 + " n2=" + n2 + " " + alt);
            }
        }
        assertTrue(withTies >= 200, "at least 200 samples with ties, had " + withTies);
    }

    private static double value(Random random, int kind) {
        switch (kind) {
            case 0:
                return random.nextInt(6); // heavy ties
            case 1:
                return Math.round(random.nextGaussian() * 10) / 10.0; // ties from rounding
            default:
                return random.nextInt(100) < 30 ? 0 : random.nextInt(3) * 0.25; // many zeros, like error rates
        }
    }

    private static boolean hasTie(double[] x, double[] y) {
        java.util.Set<Double> seen = new java.util.HashSet<>();
        for (double v : x) {
            if (!seen.add(v)) {
                return true;
            }
        }
        for (double v : y) {
            if (!seen.add(v)) {
                return true;
            }
        }
        return false;
    }

    /** Golden values from SciPy 1.17.1: mannwhitneyu(x, y, use_continuity=True, method="asymptotic"). */
    @Test
    void matchesScipyGoldenValues() {
        double[] x1 = {1, 2, 2, 3, 3, 3, 4};
        double[] y1 = {2, 3, 4, 4, 5, 5, 6, 7};
        assertEquals(8.5, MannWhitney.test(x1, y1).u1(), 0);
        assertEquals(0.025279736885893914, MannWhitney.test(x1, y1).pValue(), 1e-12);
        assertEquals(0.9907347385044912, MannWhitney.test(x1, y1, MannWhitney.Alternative.GREATER).pValue(), 1e-12);
        assertEquals(0.012639868442946957, MannWhitney.test(x1, y1, MannWhitney.Alternative.LESS).pValue(), 1e-12);

        double[] x2 = {12, 15, 15, 20, 22, 22, 22, 30, 31};
        double[] y2 = {10, 11, 15, 18, 19, 22};
        assertEquals(40.5, MannWhitney.test(x2, y2).u1(), 0);
        assertEquals(0.12076221847427228, MannWhitney.test(x2, y2).pValue(), 1e-12);
        assertEquals(0.06038110923713614, MannWhitney.test(x2, y2, MannWhitney.Alternative.GREATER).pValue(), 1e-12);

        double[] x3 = {5, 5, 5, 5, 6};
        double[] y3 = {5, 5, 5, 5, 5, 5, 7};
        assertEquals(1.0, MannWhitney.test(x3, y3).pValue(), 1e-12);
        assertEquals(0.5, MannWhitney.test(x3, y3, MannWhitney.Alternative.GREATER).pValue(), 1e-12);
        assertEquals(0.598580697360411, MannWhitney.test(x3, y3, MannWhitney.Alternative.LESS).pValue(), 1e-12);
    }

    @Test
    void allTiedMeansNoEvidence() {
        MannWhitney.Result r = MannWhitney.test(new double[] {3, 3, 3}, new double[] {3, 3});
        assertEquals(1.0, r.pValue());
        assertEquals(3.0, r.u1());
        assertEquals(3.0, r.u2());
    }

    @Test
    void upperTailKnownValues() {
        assertEquals(0.5, MannWhitney.upperTail(0), 1e-15);
        assertEquals(0.158655253931457, MannWhitney.upperTail(1), 1e-14);
        assertEquals(0.0227501319481792, MannWhitney.upperTail(2), 1e-14);
        assertEquals(0.977249868051821, MannWhitney.upperTail(-2), 1e-14);
        assertEquals(2.866515718791933e-7, MannWhitney.upperTail(5), 1e-19);
        assertEquals(0.0, MannWhitney.upperTail(40), 0);
    }

    @Test
    void rejectsBadSamples() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MannWhitney.test(new double[0], new double[] {1}));
        assertTrue(e.getMessage().contains("sample x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MannWhitney.test(new double[] {1}, new double[] {Double.NaN}));
        assertTrue(e.getMessage().contains("sample y"), e.getMessage());
    }
}
