package dev.zdd.core.internal;

import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Target;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The end of a deployment that lost its lease: it touched nothing more (no rollback, no journal write, no router or
 * launcher call) and ends {@link DeploymentStatus#FAILED}, its reason starting with {@link #REASON_PREFIX} and naming
 * the new holder when known, its leftovers saying what it leaves to the deployment that took over. Stateless. Internal.
 */
final class LeaseLoss {
    /** How the reason of such a result begins. */
    static final String REASON_PREFIX = "lost its lease: ";

    private LeaseLoss() {
    }

    static DeploymentResult result(RunContext ctx, Phase at, String why, Instant startedAt) {
        Ledger l = ctx.ledger;
        String reason = REASON_PREFIX + why + "; stopped without touching the router, the launcher or the journal"
                + " again: the holder of the lease recovers the deployment from the journal";
        List<String> leftovers = new ArrayList<>(l.leftovers);
        String where = at.index() >= 0 && at.index() < ctx.steps() ? "at " + ctx.label(at.index()) : "while " + at.status();
        List<String> alive = new ArrayList<>();
        for (Target t : l.launchedAlive()) {
            alive.add(t.id());
        }
        List<String> retired = new ArrayList<>(l.preexistingDown());
        for (Target t : l.retired) {
            if (!retired.contains(t.id())) {
                retired.add(t.id());
            }
        }
        leftovers.add("stopped " + where + " when it lost its lease; the routing is as it last left it ("
                + (l.lastApplied == null ? "unchanged" : "last applied " + Texts.routing(l.lastApplied)) + ")"
                + (alive.isEmpty() ? "" : ", targets it launched still run: " + alive)
                + (retired.isEmpty() ? "" : ", targets it retired or may have stopped: " + retired)
                + (l.unsettled.isEmpty() ? "" : ", launcher calls still without an answer: " + l.unsettled)
                + (l.launchesInDoubt.isEmpty() ? "" : ", launches in doubt (may run): " + l.launchesInDoubt.keySet())
                + "; the new holder's recovery (or a person) must finish or undo it");
        return new DeploymentResult(ctx.id, ctx.spec.service(), ctx.spec.version(), DeploymentStatus.FAILED, reason,
                startedAt, ctx.now(), l.routingBefore, l.lastApplied == null ? l.routingBefore : l.lastApplied,
                l.launched, l.retired, leftovers, l.outcomes);
    }
}
