package dev.zdd.core.sim;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults of one run: for the n-th call of each {@link CallKind}, what it does ({@link Fault}), how long it takes
 * when it blocks, and whether a person's handle call arrives while it is in flight. Each decision depends only on the
 * seed, the kind and n, so the script is the same whatever the engine does before. The journal and the lock fail ten
 * times less often than other collaborators (they are written or tried many times per run). Thread-safe.
 *
 * @param seed          the run's seed
 * @param faultRate     chance that a call misbehaves
 * @param interjectRate chance that a handle call arrives during a call
 * @param blocking      whether faults that block (hang, late, slow) may be chosen (not when deadlines are huge)
 */
record FaultScript(long seed, double faultRate, double interjectRate, boolean blocking, Map<CallKind, AtomicInteger> counts) {
    /** When, relative to the call's effect, an interjected handle call arrives. */
    enum When { BEFORE, AFTER }

    /** What the n-th call of a kind does. */
    record Decision(CallKind kind, int index, Fault fault, double blockShare, HandleAction interject, When when) {
        /** How long a blocking fault blocks, given the deadline the engine gives this call. */
        Duration blockTime(Duration deadline) {
            long d = saturatedMillis(deadline);
            return switch (fault) {
                case SLOW -> Duration.ofMillis((long) (d * 0.9 * blockShare));
                case LATE, LATE_UNINTERRUPTIBLE -> Duration.ofMillis(d + 1 + (long) (d * 2 * blockShare));
                default -> Duration.ZERO;
            };
        }

        @Override
        public String toString() {
            return kind + "#" + index + " " + fault + (interject == null ? "" : " +" + interject + "(" + when + ")");
        }
    }

    FaultScript(long seed, double faultRate, double interjectRate, boolean blocking) {
        this(seed, faultRate, interjectRate, blocking, new EnumMap<>(CallKind.class));
        for (CallKind k : CallKind.values()) {
            counts.put(k, new AtomicInteger());
        }
    }

    /** The decision for the next call of {@code kind}. */
    Decision next(CallKind kind) {
        int n = counts.get(kind).getAndIncrement();
        Dice dice = Dice.of(seed, 77, kind.ordinal(), n);
        Fault fault = Fault.OK;
        boolean store = kind == CallKind.JOURNAL_WRITE || kind == CallKind.LOCK || kind == CallKind.RENEW;
        if (dice.chance(store ? faultRate / 10 : faultRate)) {
            Fault[] options = kind.faults();
            fault = options[1 + dice.between(0, options.length - 2)];
            if (!blocking && blocks(fault)) {
                fault = Fault.THROW;
            }
        }
        double share = dice.nextDouble();
        HandleAction interject = null;
        When when = When.BEFORE;
        if (!store && dice.chance(interjectRate)) {
            interject = dice.weighted(HandleAction.values(), new double[] {6, 1.5, 1, 1.5});
            when = dice.pick(When.values());
        }
        return new Decision(kind, n, fault, share, interject, when);
    }

    static boolean blocks(Fault f) {
        return f == Fault.SLOW || f == Fault.HANG || f == Fault.LATE || f == Fault.LATE_UNINTERRUPTIBLE
                || f == Fault.DONE_THEN_HANG;
    }

    static long saturatedMillis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }
}
