package dev.zdd.core.sim;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link Scenario} of a seed. Probabilities aim at realistic runs: most calls answer, most deployments end
 * by themselves, and now and then a lock is busy, a call hangs or answers late, a person aborts at an awkward moment.
 * Stateless.
 */
final class ScenarioGenerator {
    private ScenarioGenerator() {
    }

    /**
     * @throws IllegalArgumentException when a builder refuses a generated option (the run counts as refused)
     */
    static Scenario generate(long seed) {
        Dice dice = new Dice(seed);
        int n = dice.between(1, 4);
        boolean colours = dice.chance(0.5);
        List<Target> olds = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Target t = Target.of("old" + i, "v1", "10.0.0." + i, 8080);
            olds.add(colours ? t.withAttribute(Target.COLOUR, "blue") : t);
        }
        Routing before = Routing.evenly(olds);
        DeploymentSpec spec = DeploymentSpec.builder("shop", "v2")
                .instances(dice.chance(0.6) ? 0 : dice.between(1, n + 1)).build();
        RouterCapabilities caps = dice.chance(0.5) ? RouterCapabilities.WEIGHTS_ONLY
                : new RouterCapabilities(Routing.MAX_WEIGHT, true, true, true, false);
        Duration stepDeadline = stepDeadline(dice);
        ProbePolicy probes = probePolicy(dice);
        Duration lockBusyFor = null;
        Duration lockWait = Duration.ZERO;
        double lock = dice.nextDouble();
        if (lock < 0.3) {
            lockBusyFor = dice.millisBetween(1, 600_000);
            lockWait = dice.chance(0.85) ? dice.millisBetween(lockBusyFor.toMillis(), 2 * lockBusyFor.toMillis() + 1000)
                    : dice.millisBetween(1, lockBusyFor.toMillis());
        } else if (lock < 0.6) {
            lockBusyFor = Duration.ZERO;
        }
        boolean journal = dice.chance(0.5);
        PlanGenerator.Choice plan = new PlanGenerator(dice, Dice.of(seed, 13)).next(olds, spec.version());
        double faultRate = dice.pick(0.0, 0.03, 0.08, 0.08, 0.2);
        double interjectRate = dice.pick(0.0, 0.0, 0.02, 0.05, 0.15);
        return new Scenario(seed, List.copyOf(olds), before, spec, caps, stepDeadline, probes, lockBusyFor, lockWait,
                journal, plan.text(), plan.strategy(), plan.plan(), faultRate, interjectRate, script(dice),
                lockBusyFor == null ? null : lease(Dice.of(seed, 911)));
    }

    /**
     * Half the runs with a lock get a lease that expires (its own dice, so that the rest of the scenario is what it was
     * before leases existed); half of those lose the lease store for a while, often long enough to be taken over.
     */
    private static Scenario.Lease lease(Dice dice) {
        if (!dice.chance(0.5)) {
            return null;
        }
        Duration ttl = dice.millisBetween(2_000, 600_000);
        Duration forced = dice.chance(0.3) ? dice.millisBetween(0, 1_800_000) : null;
        if (!dice.chance(0.5)) {
            return new Scenario.Lease(ttl, null, null, forced);
        }
        return new Scenario.Lease(ttl, dice.millisBetween(0, 1_800_000), dice.millisBetween(ttl.toMillis() / 4,
                3 * ttl.toMillis()), forced);
    }

    private static Duration stepDeadline(Dice dice) {
        double x = dice.nextDouble();
        if (x < 0.02) {
            return Dice.FOREVER;
        }
        if (x < 0.05) {
            return dice.millisBetween(86_400_000L, 1000L * 86_400_000L);
        }
        if (x < 0.25) {
            return Engine.DEFAULT_STEP_DEADLINE;
        }
        return dice.millisBetween(500, 600_000);
    }

    private static ProbePolicy probePolicy(Dice dice) {
        ProbePolicy.Builder b = ProbePolicy.builder()
                .period(dice.millisBetween(100, 30_000))
                .timeout(dice.millisBetween(50, 5_000))
                .successThreshold(dice.between(1, 3))
                .failureThreshold(dice.between(1, 5))
                .initialDelay(dice.chance(0.3) ? dice.millisBetween(0, 10_000) : Duration.ZERO)
                .startupGrace(dice.chance(0.3) ? dice.millisBetween(0, 30_000) : Duration.ZERO);
        b.deadline(dice.chance(0.01) ? Dice.FOREVER : dice.millisBetween(5_000, 1_800_000));
        return b.build();
    }

    /** The person's calls: sometimes an abort, a pause (mostly resumed later), promotes; at any time scale. */
    private static List<Scenario.Call> script(Dice dice) {
        List<Scenario.Call> calls = new ArrayList<>();
        if (dice.chance(0.3)) {
            calls.add(new Scenario.Call(when(dice), HandleAction.ABORT));
        }
        if (dice.chance(0.2)) {
            Duration at = when(dice);
            calls.add(new Scenario.Call(at, HandleAction.PAUSE));
            if (dice.chance(0.7)) {
                calls.add(new Scenario.Call(at.plus(when(dice)), HandleAction.RESUME));
            }
        }
        int promotes = dice.chance(0.4) ? dice.between(1, 3) : 0;
        for (int i = 0; i < promotes; i++) {
            calls.add(new Scenario.Call(when(dice), HandleAction.PROMOTE));
        }
        calls.sort((a, b) -> a.at().compareTo(b.at()));
        return List.copyOf(calls);
    }

    private static Duration when(Dice dice) {
        return switch (dice.between(0, 4)) {
            case 0 -> Duration.ZERO;
            case 1 -> dice.millisBetween(0, 10_000);
            case 2 -> dice.millisBetween(0, 600_000);
            case 3 -> dice.millisBetween(0, 3_600_000);
            default -> dice.millisBetween(0, 3L * 3_600_000);
        };
    }
}
