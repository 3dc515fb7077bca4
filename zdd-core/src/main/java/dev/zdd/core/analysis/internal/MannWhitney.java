package dev.zdd.core.analysis.internal;

import java.util.Arrays;
import java.util.Collection;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum) with the normal approximation, tie correction and continuity
 * correction: the same variant as R's {@code wilcox.test(x, y, exact = FALSE, correct = TRUE)} and SciPy's
 * {@code mannwhitneyu(x, y, use_continuity=True, method="asymptotic")}.
 *
 * <ul>
 *   <li>{@code U1 = R1 - n1(n1+1)/2}, where {@code R1} is the sum of the ranks of {@code x} in the pooled sample, ties
 *       getting the mean of their ranks;</li>
 *   <li>{@code sigma^2 = n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))} over the groups of {@code t} tied
 *       values;</li>
 *   <li>two-sided: {@code z = (|U1 - n1 n2 / 2| - 0.5) / sigma}, {@code p = 2 P(Z > z)}, capped at 1;
 *       greater ({@code x} tends to be larger): {@code p = P(Z > (U1 - n1 n2/2 - 0.5)/sigma)}; less:
 *       {@code p = P(Z < (U1 - n1 n2/2 + 0.5)/sigma)}.</li>
 * </ul>
 * When every value is tied ({@code sigma = 0}) there is no evidence of a difference and {@code p = 1}.
 *
 * <p>Stateless; thread-safe.
 */
public final class MannWhitney {
    /** Which difference the test looks for. Thread-safe (an enum). */
    public enum Alternative {
        /** {@code x} and {@code y} differ in either direction. */
        TWO_SIDED,
        /** {@code x} tends to be larger than {@code y}. */
        GREATER,
        /** {@code x} tends to be smaller than {@code y}. */
        LESS
    }

    /**
     * The outcome of a test.
     *
     * <p>Immutable; thread-safe.
     *
     * @param u1     the U statistic of {@code x}: how many (x, y) pairs have x &gt; y, ties counting one half
     * @param z      the standardised statistic (after the continuity correction), 0 when sigma is 0
     * @param pValue the p-value, 0 to 1
     * @param n1     size of {@code x}
     * @param n2     size of {@code y}
     */
    public record Result(double u1, double z, double pValue, int n1, int n2) {
        /** {@code U2 = n1 n2 - U1}. */
        public double u2() {
            return (double) n1 * n2 - u1;
        }
    }

    private MannWhitney() {
    }

    /** Two-sided test of {@code x} against {@code y}. */
    public static Result test(double[] x, double[] y) {
        return test(x, y, Alternative.TWO_SIDED);
    }

    /** Test of {@code x} against {@code y} for the given alternative. */
    public static Result test(Collection<? extends Number> x, Collection<? extends Number> y, Alternative alternative) {
        return test(toArray("x", x), toArray("y", y), alternative);
    }

    /**
     * Test of {@code x} against {@code y} for the given alternative.
     *
     * @throws IllegalArgumentException when a sample is empty or holds NaN or an infinity
     */
    public static Result test(double[] x, double[] y, Alternative alternative) {
        check("x", x);
        check("y", y);
        if (alternative == null) {
            throw new IllegalArgumentException("alternative must not be null");
        }
        int n1 = x.length;
        int n2 = y.length;
        int n = n1 + n2;
        // Pool: value and which sample; sort by value.
        double[] values = new double[n];
        boolean[] fromX = new boolean[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            values[i] = i < n1 ? x[i] : y[i - n1];
            fromX[i] = i < n1;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double rankSumX = 0;
        double tieSum = 0; // sum of t^3 - t
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double t = j - i + 1;
            double meanRank = (i + 1 + j + 1) / 2.0; // ranks are 1-based
            for (int k = i; k <= j; k++) {
                if (fromX[order[k]]) {
                    rankSumX += meanRank;
                }
            }
            tieSum += t * t * t - t;
            i = j + 1;
        }
        double u1 = rankSumX - n1 * (n1 + 1) / 2.0;
        double mean = (double) n1 * n2 / 2.0;
        double variance = (double) n1 * n2 / 12.0 * ((n + 1) - (n > 1 ? tieSum / ((double) n * (n - 1)) : 0));
        if (!(variance > 1e-12)) {
            return new Result(u1, 0, 1.0, n1, n2);
        }
        double sigma = Math.sqrt(variance);
        double z;
        double p;
        switch (alternative) {
            case GREATER -> {
                z = (u1 - mean - 0.5) / sigma;
                p = upperTail(z);
            }
            case LESS -> {
                z = (u1 - mean + 0.5) / sigma;
                p = upperTail(-z);
            }
            default -> {
                z = (Math.abs(u1 - mean) - 0.5) / sigma;
                p = Math.min(1.0, 2 * upperTail(z));
            }
        }
        return new Result(u1, z, p, n1, n2);
    }

    /** {@code P(Z > z)} for a standard normal {@code Z}, to about 1e-15 absolute. */
    public static double upperTail(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** The complementary error function. */
    static double erfc(double x) {
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (x < 2.5) {
            // Maclaurin series of erf: 2/sqrt(pi) * sum (-1)^k x^(2k+1) / (k! (2k+1)).
            double term = x; // x^(2k+1)/k! with sign
            double sum = x;
            double x2 = x * x;
            for (int k = 1; k < 200; k++) {
                term *= -x2 / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        if (x > 27) {
            return 0;
        }
        // Continued fraction: erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
        double f = x;
        for (int k = 120; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    private static void check(String name, double[] v) {
        if (v == null || v.length == 0) {
            throw new IllegalArgumentException("sample " + name + " must not be empty");
        }
        for (double d : v) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("sample " + name + " must hold finite numbers, found " + d);
            }
        }
    }

    private static double[] toArray(String name, Collection<? extends Number> c) {
        if (c == null) {
            throw new IllegalArgumentException("sample " + name + " must not be null");
        }
        double[] out = new double[c.size()];
        int i = 0;
        for (Number n : c) {
            if (n == null) {
                throw new IllegalArgumentException("sample " + name + " must not contain null");
            }
            out[i++] = n.doubleValue();
        }
        return out;
    }
}
