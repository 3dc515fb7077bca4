package dev.zdd.core.sim;

import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.core.testing.VirtualScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A router whose calls follow the run's {@link FaultScript} and whose real table is the {@link World}'s: an apply that
 * throws after a partial change or lands after its deadline changes the world all the same. Thread-safe.
 */
final class SimRouter implements dev.zdd.api.TrafficRouter {
    private final World world;
    private final RouterCapabilities capabilities;
    private final Duration deadline;

    SimRouter(World world, RouterCapabilities capabilities, Duration deadline) {
        this.world = world;
        this.capabilities = capabilities;
        this.deadline = deadline;
    }

    @Override
    public void apply(Routing routing, dev.zdd.api.Fence fence) {
        long current = world.leaseToken();
        if (fence.token() > 0 && fence.token() < current) {
            // a fenced router: the stale holder's apply never takes effect
            world.count("LEASE.FENCED_APPLY");
            world.log("router refused apply with stale token " + fence.token() + " (current " + current + ")");
            throw new dev.zdd.api.FencedOutException("sim: router refused stale token " + fence.token());
        }
        apply(routing);
    }

    @Override
    public void apply(Routing routing) {
        FaultScript.Decision d = world.next(CallKind.ROUTER_APPLY, "router.apply " + routing);
        world.interject(d, FaultScript.When.BEFORE);
        try {
            switch (d.fault()) {
                case THROW -> throw new RouterException("sim: router refused the change");
                case PARTIAL -> {
                    world.applied(partly(world.table(), routing), "partial apply");
                    world.interject(d, FaultScript.When.AFTER);
                    throw new RouterException("sim: router applied part of the change, then failed");
                }
                default -> {
                    Blocking.before(d, deadline);
                    world.applied(routing, d.fault() == Fault.OK ? "" : d.fault() + (Blocking.interrupted()
                            ? ", after the engine gave up on it" : ""));
                    world.interject(d, FaultScript.When.AFTER);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            world.log("router.apply interrupted: nothing changed");
            throw new RouterException("sim: router.apply interrupted");
        }
    }

    @Override
    public Routing current() {
        FaultScript.Decision d = world.next(CallKind.ROUTER_CURRENT, "router.current"
                + (VirtualScheduler.inCall() ? "" : " (outside the executor)"));
        world.interject(d, FaultScript.When.BEFORE);
        try {
            if (d.fault() == Fault.THROW) {
                throw new RouterException("sim: router unreachable");
            }
            Blocking.before(d, deadline);
            Routing r = world.table();
            world.interject(d, FaultScript.When.AFTER);
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RouterException("sim: router.current interrupted");
        }
    }

    @Override
    public RouterCapabilities capabilities() {
        return capabilities;
    }

    /** The first half of {@code next}'s routes, and the routes of {@code now} for the other targets. */
    static Routing partly(Routing now, Routing next) {
        int half = (next.routes().size() + 1) / 2;
        List<Route> out = new ArrayList<>(next.routes().subList(0, half));
        Set<String> ids = new HashSet<>();
        out.forEach(r -> ids.add(r.target().id()));
        for (Route r : now.routes()) {
            if (ids.add(r.target().id())) {
                out.add(r);
            }
        }
        return new Routing(out, now.stickiness(), now.rules());
    }
}
