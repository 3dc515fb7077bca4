package dev.zdd.core.sim;

import dev.zdd.api.CheckResult;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentHook;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.Target;

import java.time.Duration;

/**
 * The probe, checks and hooks of a run, following its {@link FaultScript}: a probe says healthy only for an instance
 * that really runs (unless its fault says otherwise), a check passes and a hook runs unless told to fail, hang or be
 * late. Thread-safe.
 */
final class SimJudges implements HealthProbe {
    /** Names of the checks and hooks every simulated engine registers. */
    static final String[] CHECKS = {"smoke", "errors"};
    static final String[] HOOKS = {"notify", "warm", "before", "after", "done"};

    private final World world;
    private final Duration deadline;

    /**
     * @param deadline the engine's step deadline (the bound of checks and hooks)
     */
    SimJudges(World world, Duration deadline) {
        this.world = world;
        this.deadline = deadline;
    }

    @Override
    public HealthResult check(Target target, Duration timeout) throws Exception {
        FaultScript.Decision d = world.next(CallKind.PROBE, "probe " + target.id());
        world.interject(d, FaultScript.When.BEFORE);
        if (d.fault() == Fault.THROW) {
            throw new IllegalStateException("sim: probe connection refused");
        }
        Blocking.before(d, timeout);
        world.interject(d, FaultScript.When.AFTER);
        return switch (d.fault()) {
            case BAD -> HealthResult.unhealthy("sim: 503");
            case UNSURE -> HealthResult.unknown("sim: no answer yet");
            case NULL -> null;
            default -> world.isRunning(target) ? HealthResult.healthy() : HealthResult.unhealthy("sim: not running");
        };
    }

    /** The check registered under {@code name}. */
    DeploymentCheck check(String name) {
        return context -> {
            FaultScript.Decision d = world.next(CallKind.CHECK, "check " + name);
            world.interject(d, FaultScript.When.BEFORE);
            if (d.fault() == Fault.THROW) {
                throw new IllegalStateException("sim: metrics unavailable");
            }
            Blocking.before(d, deadline);
            world.interject(d, FaultScript.When.AFTER);
            return switch (d.fault()) {
                case BAD -> CheckResult.fail("sim: error rate too high");
                case UNSURE -> CheckResult.inconclusive("sim: no traffic");
                case NULL -> null;
                default -> CheckResult.pass("sim: fine");
            };
        };
    }

    /** The hook registered under {@code name}. */
    DeploymentHook hook(String name) {
        return context -> {
            FaultScript.Decision d = world.next(CallKind.HOOK, "hook " + name);
            world.interject(d, FaultScript.When.BEFORE);
            if (d.fault() == Fault.THROW) {
                throw new IllegalStateException("sim: hook " + name + " vetoed");
            }
            Blocking.before(d, deadline);
            world.interject(d, FaultScript.When.AFTER);
        };
    }
}
