package dev.zdd.core.sim;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded choices for the simulator: the same seed gives the same choices. Not thread-safe (one per run or per call). */
final class Dice {
    /** The largest duration there is: what a careless user passes for "never". */
    static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    private final SplittableRandom random;

    Dice(long seed) {
        random = new SplittableRandom(seed);
    }

    /** Dice for one decision identified by {@code parts}, independent of the order decisions are taken in. */
    static Dice of(long seed, long... parts) {
        long h = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (long p : parts) {
            h = Long.rotateLeft(h ^ (p * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
        }
        return new Dice(h);
    }

    boolean chance(double p) {
        return p > 0 && random.nextDouble() < p;
    }

    int between(int lowInclusive, int highInclusive) {
        return lowInclusive + random.nextInt(highInclusive - lowInclusive + 1);
    }

    long nextLong(long bound) {
        return bound <= 1 ? 0 : random.nextLong(bound);
    }

    double nextDouble() {
        return random.nextDouble();
    }

    <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    @SafeVarargs
    final <T> T pick(T... from) {
        return from[random.nextInt(from.length)];
    }

    /** Picks by weight: {@code weights[i]} for {@code from[i]}. */
    <T> T weighted(T[] from, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double x = random.nextDouble() * total;
        for (int i = 0; i < from.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return from[i];
            }
        }
        return from[from.length - 1];
    }

    /** A random non-empty subset, in the original order. */
    <T> List<T> someOf(List<T> from) {
        List<T> out = new ArrayList<>();
        for (T t : from) {
            if (random.nextBoolean()) {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            out.add(pick(from));
        }
        return out;
    }

    /** A duration between {@code low} and {@code high}, in milliseconds. */
    Duration millisBetween(long low, long high) {
        return Duration.ofMillis(low + nextLong(high - low + 1));
    }

    /** A plausible wait: mostly seconds to minutes, sometimes zero, hours or days, sometimes "forever". */
    Duration wait(boolean zeroAllowed, double foreverChance) {
        double x = random.nextDouble();
        if (x < foreverChance) {
            return FOREVER;
        }
        if (zeroAllowed && x < foreverChance + 0.1) {
            return Duration.ZERO;
        }
        if (x > 0.93) {
            return millisBetween(3_600_000, 30L * 86_400_000);
        }
        return millisBetween(1, 600_000);
    }
}
