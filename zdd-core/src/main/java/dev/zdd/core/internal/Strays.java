package dev.zdd.core.internal;

import dev.zdd.api.DeploymentStatus;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Router calls the router lane abandoned (they outlived their deadline and one more step deadline) make the end FAILED
 * whatever it would have been: such a call may still change the routing, or did so after later calls. Stateless.
 * Internal.
 */
final class Strays {
    private Strays() {
    }

    /**
     * Adds a leftover per stray router call and returns the status to end with.
     *
     * @param setReason told the reason to use when the deployment had none
     */
    static DeploymentStatus settle(RunContext ctx, DeploymentStatus planned, String reason, Consumer<String> setReason) {
        Map<String, Boolean> strays = ctx.ledger.strayRouterCalls;
        if (strays.isEmpty()) {
            return planned;
        }
        Duration waited = ctx.cfg.stepDeadline();
        for (Map.Entry<String, Boolean> e : strays.entrySet()) {
            ctx.ledger.leftovers.add(e.getValue()
                    ? "a router call (" + e.getKey() + ") returned only after it had been given up and later router calls"
                            + " had started: it may have overwritten the routing this deployment left; check the router"
                    : "a router call (" + e.getKey() + ") did not return within its deadline and " + Texts.duration(waited)
                            + " more and may still be running: if it completes it changes the routing this deployment"
                            + " left; check the router");
        }
        if (planned != DeploymentStatus.FAILED && reason.isEmpty()) {
            setReason.accept("all steps completed, but a router call outlived its deadline and the engine's wait for it");
        }
        return DeploymentStatus.FAILED;
    }
}
