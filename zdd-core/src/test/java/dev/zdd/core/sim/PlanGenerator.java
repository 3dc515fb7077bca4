package dev.zdd.core.sim;

import dev.zdd.api.Plan;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;
import dev.zdd.core.policy.Plans;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.strategy.Rolling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Random plans: the real strategies with random options, and hand-made plans of every kind of step, sometimes with
 * extreme durations ({@link Dice#FOREVER}). A builder may refuse what it is given with {@link IllegalArgumentException}:
 * the run then counts as refused.
 */
final class PlanGenerator {
    /** What to deploy with: a strategy or a plan, and how to show it. */
    record Choice(String text, Strategy strategy, Plan plan) {
    }

    private final Dice dice;
    /** Decides the verification windows (issue 12) apart from {@link #dice}, so the other choices of a seed stay. */
    private final Dice verifyDice;

    PlanGenerator(Dice dice, Dice verifyDice) {
        this.verifyDice = verifyDice;
        this.dice = dice;
    }

    Choice next(List<Target> olds, String version) {
        double x = dice.nextDouble();
        Choice c;
        if (x < 0.2) {
            boolean coloured = olds.get(0).attribute(Target.COLOUR) != null;
            c = strategy("blue-green", blueGreen(!coloured && dice.chance(0.8)));
        } else if (x < 0.45) {
            c = strategy("canary", canary());
        } else if (x < 0.65) {
            c = strategy("rolling", rolling());
        } else {
            Plan p = handMade(olds, version);
            c = new Choice(p.render(), null, p);
        }
        if (dice.chance(0.15)) {
            String before = dice.chance(0.5) ? "before" : null;
            String after = dice.chance(0.5) ? "after" : null;
            String done = dice.chance(0.6) ? "done" : null;
            if (c.plan() != null) {
                Plan p = Plans.withHooks(c.plan(), before, after, done);
                c = new Choice(p.render(), null, p);
            } else {
                Strategy s = c.strategy();
                c = new Choice(c.text() + " withHooks(" + before + ", " + after + ", " + done + ")",
                        ctx -> Plans.withHooks(s.plan(ctx), before, after, done), null);
            }
        }
        return c;
    }

    private static Choice strategy(String name, Strategy s) {
        return new Choice(name + " " + s, s, null);
    }

    /** @param colour whether to name the initial colour (needed when the old targets carry none) */
    private BlueGreen blueGreen(boolean colour) {
        BlueGreen.Builder b = BlueGreen.builder();
        if (colour || dice.chance(0.1)) {
            b.initialColour(dice.pick("blue", "green"));
        }
        if (dice.chance(0.4)) {
            b.rollbackWindow(dice.wait(true, 0.05));
        }
        if (dice.chance(0.4)) {
            b.drainTimeout(dice.wait(true, 0.05));
        }
        if (dice.chance(0.5)) {
            b.retireGrace(dice.wait(true, 0.1));
        }
        if (dice.chance(0.2)) {
            b.preview();
            if (dice.chance(0.5)) {
                b.previewCheck(dice.pick(SimJudges.CHECKS));
            }
            if (dice.chance(0.5)) {
                b.previewGate("preview", dice.wait(false, 0.05));
            }
        }
        if (dice.chance(0.3)) {
            b.beforeSwitch(dice.pick(SimJudges.HOOKS));
        }
        if (dice.chance(0.3)) {
            b.afterSwitch(dice.pick(SimJudges.HOOKS));
        }
        return b.build();
    }

    private Canary canary() {
        Canary.Builder b = Canary.builder();
        int steps = dice.between(1, 4);
        double w = 0;
        for (int i = 0; i < steps; i++) {
            w = i == steps - 1 && dice.chance(0.3) ? 100 : Math.min(99, w + 1 + Math.floor(dice.nextDouble() * 40));
            if (dice.chance(0.15)) {
                b.servers(dice.between(1, 3));
            } else {
                b.weight(w);
            }
            switch (dice.between(0, 5)) {
                case 0 -> b.pause(dice.wait(false, 0.05));
                case 1 -> b.gate("canary-" + i, dice.wait(false, 0.05));
                case 2 -> b.check(dice.pick(SimJudges.CHECKS));
                case 3 -> b.hook(dice.pick(SimJudges.HOOKS));
                default -> {
                }
            }
        }
        if (dice.chance(0.3)) {
            b.instances(dice.between(1, 2));
        }
        if (dice.chance(0.4)) {
            b.drainTimeout(dice.wait(true, 0.05));
        }
        if (dice.chance(0.5)) {
            b.retireGrace(dice.wait(true, 0.1));
        }
        return b.build();
    }

    private Rolling rolling() {
        Rolling.Builder b = Rolling.builder();
        if (dice.chance(0.5)) {
            b.batchSize(dice.between(1, 3));
        }
        if (dice.chance(0.3)) {
            b.stopFirst();
        }
        if (dice.chance(0.3)) {
            b.pauseBetweenBatches(dice.wait(false, 0.05));
        }
        if (dice.chance(0.3)) {
            b.checkBetweenBatches(dice.pick(SimJudges.CHECKS));
        }
        if (dice.chance(0.2)) {
            b.gateBetweenBatches("batch", dice.wait(false, 0.05));
        }
        if (dice.chance(0.4)) {
            b.drainTimeout(dice.wait(true, 0.05));
        }
        if (dice.chance(0.5)) {
            b.retireGrace(dice.wait(true, 0.1));
        }
        return b.build();
    }

    /**
     * A plan of random steps over the old targets and new ones it launches: mostly the usual shape (launch, await,
     * shift, wait, shift all, drain, retire), with random steps inserted and some left out.
     */
    private Plan handMade(List<Target> olds, String version) {
        List<String> oldIds = new ArrayList<>();
        olds.forEach(t -> oldIds.add(t.id()));
        List<String> routable = new ArrayList<>(oldIds);
        List<String> fresh = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        int n = dice.between(1, 3);
        for (int i = 1; i <= n; i++) {
            fresh.add("new" + i);
            routable.add("new" + i);
            steps.add(new Step.Launch("new" + i, version, dice.chance(0.3) ? Map.of("colour", "green") : Map.of()));
            maybeExtra(steps, routable);
        }
        if (dice.chance(0.85)) {
            steps.add(new Step.AwaitHealthy(dice.chance(0.8) ? fresh : dice.someOf(routable)));
        }
        maybeExtra(steps, routable);
        if (dice.chance(0.7)) {
            steps.add(shift(dice.someOf(routable), "partial"));
            maybeExtra(steps, routable);
        }
        if (dice.chance(0.2)) {
            steps.add(new Step.PointOfNoReturn("migration"));
        }
        if (dice.chance(0.85)) {
            List<Step.Allocation> all = new ArrayList<>();
            for (String id : fresh) {
                all.add(Step.Allocation.active(id, Routing.MAX_WEIGHT / fresh.size()));
            }
            for (String id : oldIds) {
                all.add(dice.chance(0.7) ? Step.Allocation.draining(id) : new Step.Allocation(id, 0, RouteState.DISABLED));
            }
            steps.add(Step.ShiftTraffic.of("all to " + version, all));
            if (verifyDice.chance(0.25)) {
                // the post-switch verification window: probes of the new targets and a check, for a while
                steps.add(new Step.Verify(verifyDice.chance(0.8) ? fresh : List.of(),
                        verifyDice.chance(0.05) ? Dice.FOREVER : verifyDice.millisBetween(1, 600_000),
                        verifyDice.chance(0.5) ? List.of(verifyDice.pick(SimJudges.CHECKS)) : List.of(),
                        verifyDice.millisBetween(1, 120_000)));
            }
            if (dice.chance(0.6)) {
                steps.add(new Step.Drain(oldIds, dice.wait(true, 0.05)));
            }
            maybeExtra(steps, routable);
            if (dice.chance(0.8)) {
                List<String> retire = dice.chance(0.8) ? oldIds : dice.someOf(oldIds);
                steps.add(new Step.Retire(retire, dice.wait(true, 0.08)));
                routable.removeAll(retire);
            }
        }
        maybeExtra(steps, routable);
        return new Plan("sim", steps);
    }

    private void maybeExtra(List<Step> steps, List<String> routable) {
        if (!dice.chance(0.35)) {
            return;
        }
        switch (dice.between(0, 7)) {
            case 0 -> steps.add(new Step.Pause(dice.wait(false, 0.05)));
            case 1 -> steps.add(new Step.Gate("gate" + steps.size(), dice.wait(false, 0.05)));
            case 2 -> steps.add(new Step.Check(dice.pick(SimJudges.CHECKS)));
            case 3 -> steps.add(new Step.Hook(dice.pick(SimJudges.HOOKS)));
            case 4 -> steps.add(new Step.PointOfNoReturn("point " + steps.size()));
            case 5 -> steps.add(shift(dice.someOf(routable), "random"));
            case 6 -> steps.add(new Step.Drain(dice.someOf(routable), dice.wait(true, 0.05)));
            default -> steps.add(new Step.AwaitHealthy(dice.someOf(routable)));
        }
    }

    private Step.ShiftTraffic shift(List<String> ids, String label) {
        List<Step.Allocation> out = new ArrayList<>();
        boolean serving = false;
        for (String id : ids) {
            double x = dice.nextDouble();
            if (x < 0.75) {
                int w = dice.between(dice.chance(0.1) ? 0 : 1, Routing.MAX_WEIGHT);
                out.add(Step.Allocation.active(id, w));
                serving |= w > 0;
            } else if (x < 0.9) {
                out.add(Step.Allocation.draining(id));
            } else {
                out.add(new Step.Allocation(id, 0, RouteState.DISABLED));
            }
        }
        if (!serving) {
            out.set(0, Step.Allocation.active(ids.get(0), dice.between(1, Routing.MAX_WEIGHT)));
        }
        return Step.ShiftTraffic.of(label, out);
    }
}
