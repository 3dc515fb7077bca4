package dev.zdd.core.sim;

import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;

import java.time.Duration;

/**
 * A launcher whose calls follow the run's {@link FaultScript} and whose real instances are the {@link World}'s: a launch
 * that completes late leaves the instance running; a launch that fails after it started its instance stops it before
 * throwing (the {@code TargetLauncher} contract: a launch that throws leaves nothing running); a retire that stops the
 * instance and ignores the interrupt stops it all the same, and one that stops it and then fails stopped it. Thread-safe.
 */
final class SimLauncher implements TargetLauncher {
    private final World world;
    private final Duration deadline;

    SimLauncher(World world, Duration deadline) {
        this.world = world;
        this.deadline = deadline;
    }

    @Override
    public Target launch(LaunchRequest req) {
        FaultScript.Decision d = world.next(CallKind.LAUNCH, "launch " + req.targetId() + " (" + req.version() + ")");
        world.interject(d, FaultScript.When.BEFORE);
        try {
            if (d.fault() == Fault.THROW) {
                throw new LaunchException("sim: cannot start " + req.targetId());
            }
            Blocking.before(d, deadline);
            Target t = world.start(req.targetId(), req.version(), req.attributes(), d.fault() == Fault.OK ? ""
                    : d.fault() + (Blocking.interrupted() ? ", after the engine gave up on it" : ""));
            try {
                world.interject(d, FaultScript.When.AFTER);
                if (d.fault() == Fault.DONE_THEN_THROW) {
                    throw new LaunchException("sim: started " + req.targetId() + " but could not confirm it");
                }
                if (d.fault() == Fault.DONE_THEN_HANG) {
                    Blocking.hang();
                }
                return t;
            } catch (LaunchException | InterruptedException e) {
                // the TargetLauncher contract: a launch that throws leaves nothing running, so it stops what it started
                world.stop(t, "the launch failed after starting it: cleaned up by the launcher");
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("sim: launch of " + req.targetId() + " interrupted");
        }
    }

    @Override
    public void retire(Target target, Duration grace) {
        FaultScript.Decision d = world.next(CallKind.RETIRE, "retire " + target.id() + " @" + target.endpoint());
        world.interject(d, FaultScript.When.BEFORE);
        try {
            if (d.fault() == Fault.THROW) {
                throw new LaunchException("sim: cannot stop " + target.id());
            }
            Blocking.before(d, World.plus(deadline, grace));
            world.stop(target, d.fault() == Fault.OK ? "" : d.fault() + (Blocking.interrupted()
                    ? ", after the engine gave up on it" : ""));
            world.interject(d, FaultScript.When.AFTER);
            if (d.fault() == Fault.DONE_THEN_THROW) {
                throw new LaunchException("sim: stopped " + target.id() + " but the answer was lost");
            }
            if (d.fault() == Fault.DONE_THEN_HANG) {
                Blocking.hang();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("sim: retire of " + target.id() + " interrupted");
        }
    }
}
