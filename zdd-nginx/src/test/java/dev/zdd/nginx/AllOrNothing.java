package dev.zdd.nginx;

import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test stand-in for zdd-core's CompositeRouter.allOrNothing (not yet in main): apply in parallel, undo the ones that
 * succeeded when one fails. Replace with the real one once it lands.
 */
final class AllOrNothing {
    private AllOrNothing() {
    }

    static TrafficRouter of(TrafficRouter... routers) {
        return new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                List<Routing> before = new ArrayList<>();
                for (TrafficRouter r : routers) {
                    before.add(r.current());
                }
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (TrafficRouter r : routers) {
                    fs.add(CompletableFuture.runAsync(() -> r.apply(routing)));
                }
                RuntimeException failure = null;
                List<Integer> done = new ArrayList<>();
                for (int i = 0; i < fs.size(); i++) {
                    try {
                        fs.get(i).get(60, TimeUnit.SECONDS);
                        done.add(i);
                    } catch (Exception e) {
                        Throwable c = e.getCause() == null ? e : e.getCause();
                        failure = c instanceof RuntimeException re ? re : new RouterException(c.toString(), c);
                    }
                }
                if (failure != null) {
                    for (int i : done) {
                        routers[i].apply(before.get(i));
                    }
                    throw failure;
                }
            }

            @Override
            public Routing current() {
                return routers[0].current();
            }
        };
    }
}
