package dev.zdd.core.sim;

import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.List;

/**
 * Everything one run is made of, generated from its seed by {@link ScenarioGenerator}: the world before, what to deploy
 * and how (a strategy or a hand-made plan), the engine's options, the fault profile and the person's handle calls.
 *
 * @param seed          the seed
 * @param olds          targets serving before (running)
 * @param before        the router's table before
 * @param spec          what is deployed
 * @param capabilities  the router's capabilities
 * @param stepDeadline  the engine's step deadline
 * @param probePolicy   the engine's probe policy
 * @param lockBusyFor   how long another deployment holds the lock ({@code null}: no lock configured)
 * @param lockWait      the engine's lockWait
 * @param journal       whether the engine journals
 * @param planText      what the plan is, for the trace
 * @param strategy      the strategy, or {@code null} when {@code plan} is given
 * @param plan          the hand-made plan, or {@code null}
 * @param faultRate     chance that a call misbehaves
 * @param interjectRate chance that a handle call arrives during a call
 * @param script        the person's handle calls at virtual times
 * @param lease         with a lock: the lease's ttl, renewal outage and takeover ({@code null}: grants never expire)
 */
record Scenario(long seed, List<Target> olds, Routing before, DeploymentSpec spec, RouterCapabilities capabilities,
                Duration stepDeadline, ProbePolicy probePolicy, Duration lockBusyFor, Duration lockWait, boolean journal,
                String planText, Strategy strategy, Plan plan, double faultRate, double interjectRate,
                List<Call> script, Lease lease) {

    /**
     * A lease that expires: renewals fail from {@code outageFrom} for {@code outageFor} (the store unreachable); at the
     * end of the outage another deployer takes the lease over if it has expired by then. With {@code forcedAt}, another
     * deployer takes it over at that time whatever its expiry (a lease broken by hand, a store whose clock ran ahead):
     * the holder learns it at its next renewal, and until then the router and the journal refuse its stale token.
     */
    record Lease(Duration ttl, Duration outageFrom, Duration outageFor, Duration forcedAt) {
        @Override
        public String toString() {
            return "ttl " + ttl + (outageFor == null ? "" : ", renewals fail from " + outageFrom + " for " + outageFor)
                    + (forcedAt == null ? "" : ", taken over by force at " + forcedAt);
        }
    }

    /** A handle call at a virtual time after the start. */
    record Call(Duration at, HandleAction action) {
        @Override
        public String toString() {
            return action + "@" + at;
        }
    }

    /** Blocking faults (hangs, late answers) only when deadlines are bounded enough to end a run. */
    boolean blockingFaults() {
        return stepDeadline.compareTo(Duration.ofDays(1)) <= 0
                && probePolicy.deadline().compareTo(Duration.ofDays(30)) <= 0;
    }

    /** The time of the last scripted handle call. */
    Duration scriptEnd() {
        Duration end = Duration.ZERO;
        for (Call c : script) {
            if (c.at().compareTo(end) > 0) {
                end = c.at();
            }
        }
        return end;
    }

    /** A readable summary for the verbose trace. */
    String describe() {
        return "seed " + seed + "\n  before: " + before + "\n  spec: " + spec + "\n  capabilities: " + capabilities
                + "\n  stepDeadline " + stepDeadline + ", probes " + probePolicy + "\n  lock: "
                + (lockBusyFor == null ? "none" : "busy for " + lockBusyFor + ", lockWait " + lockWait
                + (lease == null ? "" : ", lease " + lease)) + ", journal: "
                + journal + "\n  faults: rate " + faultRate + ", interjections " + interjectRate + ", blocking "
                + blockingFaults() + "\n  handle script: " + script + "\n  plan: " + planText;
    }
}
