package dev.zdd.core.lease;

import dev.zdd.api.Fence;
import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Delegates to a router and records the fencing token of every apply (and the virtual time it came at). */
final class TokenRouter implements TrafficRouter {
    private final TrafficRouter delegate;
    final List<Long> tokens = new CopyOnWriteArrayList<>();
    final List<Long> untokened = new CopyOnWriteArrayList<>();

    TokenRouter(TrafficRouter delegate) {
        this.delegate = delegate;
    }

    @Override
    public void apply(Routing routing) {
        untokened.add(0L);
        delegate.apply(routing);
    }

    @Override
    public void apply(Routing routing, Fence fence) {
        tokens.add(fence.token());
        delegate.apply(routing);
    }

    @Override
    public Routing current() {
        return delegate.current();
    }
}
