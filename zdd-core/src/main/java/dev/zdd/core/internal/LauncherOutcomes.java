package dev.zdd.core.internal;

import dev.zdd.api.Target;

/**
 * What the real end of a launcher call means for the {@link Ledger} ("anything cut off may have happened"), shared by
 * the steps and the rollback. By the {@link dev.zdd.api.TargetLauncher} contract a launch that throws leaves nothing
 * running; a launch that answers, even after the engine gave up on it, started an instance that must be retired; a
 * launch that never answers may have started one. A retire that answers stopped its target; one that throws, or never
 * answers, may have stopped it, or may still be stopping it. Not thread-safe: confined to the actor. Internal.
 */
final class LauncherOutcomes {
    private final RunContext ctx;
    private Runnable onChange = () -> { };

    LauncherOutcomes(RunContext ctx) {
        this.ctx = ctx;
    }

    /** Called after every settled call (the rollback waits for {@link Ledger#unsettled} to empty). */
    void onChange(Runnable r) {
        onChange = r;
    }

    /** A launch of {@code targetId} starts; returns the key of its doubt. */
    String launching(String targetId) {
        String key = "launch of " + targetId;
        ctx.ledger.unsettled.add(key);
        return key;
    }

    /** A retire of {@code target} starts; returns the key of its doubt. */
    String retiring(Target target) {
        String key = "retire of " + target.id();
        ctx.ledger.unsettled.add(key);
        return key;
    }

    void launchSettled(String key, String targetId, String version, Calls.Settled<Target> s) {
        Ledger l = ctx.ledger;
        switch (s.end()) {
            case RETURNED -> {
                Target t = s.value();
                if (t != null && l.launched(t)) {
                    ctx.journal.write(x -> x.withLaunched(t, ctx.now()));
                }
                l.launchesInDoubt.remove(targetId);
            }
            case ABANDONED -> l.launchesInDoubt.put(targetId, new Ledger.LaunchDoubt(version, true));
            default -> {
                // THREW or NOT_RUN: by the launcher contract nothing is left running
                l.launchesInDoubt.remove(targetId);
            }
        }
        l.unsettled.remove(key);
        onChange.run();
    }

    void retireSettled(String key, Target target, Calls.Settled<Boolean> s) {
        Ledger l = ctx.ledger;
        switch (s.end()) {
            case RETURNED -> {
                if (l.retired(target)) {
                    ctx.journal.write(x -> x.withRetired(target, ctx.now()));
                }
            }
            case THREW -> l.maybeStopped(target.id(), false);
            case ABANDONED -> l.maybeStopped(target.id(), true);
            case NOT_RUN -> {
                // never ran: the target is as it was
            }
        }
        l.unsettled.remove(key);
        onChange.run();
    }
}
