package dev.zdd.core.internal;

import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Step.ShiftTraffic}: applies the routing table through the router's lane, reads it back and compares. A
 * router call cut off may have changed the routing: the router counts as touched from the moment the call starts, so a
 * rollback restores it. Internal; confined to the actor.
 */
final class ShiftStep extends StepRunner {
    private final Step.ShiftTraffic step;

    ShiftStep(RunContext ctx, Owner owner, int index, Step.ShiftTraffic step) {
        super(ctx, owner, index);
        this.step = step;
    }

    @Override
    void start() {
        List<Route> routes = new ArrayList<>(step.allocations().size());
        for (Step.Allocation a : step.allocations()) {
            routes.add(new Route(ctx.ledger.known.get(a.targetId()), a.weight(), a.state()));
        }
        Routing routing = new Routing(routes, step.stickiness(), step.rules());
        if (ctx.ledger.routesToDown(routing)) {
            fail("refusing to route traffic to a target that was retired or may be stopped: " + Texts.routing(routing));
            return;
        }
        ctx.ledger.routerTouched = true;
        call(ctx.routerLane, "router.apply", ctx.cfg.stepDeadline(), () -> {
            ctx.apply(routing);
            return Boolean.TRUE;
        }, (ok, err) -> {
            if (err != null) {
                fail(failure("router.apply", err));
                return;
            }
            ctx.ledger.lastApplied = routing;
            ctx.journal.write(x -> x.withRoutingApplied(routing, ctx.now()));
            call(ctx.routerLane, "router.current", ctx.cfg.stepDeadline(), () -> ctx.cfg.router().current(), (now, err2) -> {
                if (err2 != null) {
                    fail(failure("router.current after apply", err2));
                } else if (now == null || !routing.sameTrafficAs(now, ctx.cfg.router().capabilities().maxWeight())) {
                    fail("router drift: applied " + Texts.routing(routing) + ", router reports " + Texts.routing(now));
                } else {
                    ctx.events.emit(new DeploymentEvent.RoutingApplied(ctx.id, ctx.now(), index, step.label(), routing));
                    succeed("applied " + Texts.routing(routing));
                }
            });
        });
    }
}
