package dev.zdd.examples.nginx;

import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Stand-in until CompositeRouter lands in main. Not for reuse. */
final class Parallel {
    private Parallel() {
    }

    static TrafficRouter allOrNothing(TrafficRouter... routers) {
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "nginx-bench-parallel");
            t.setDaemon(true);
            return t;
        });
        return new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                List<Future<?>> fs = new ArrayList<>();
                for (TrafficRouter r : routers) {
                    fs.add(pool.submit(() -> r.apply(routing)));
                }
                for (Future<?> f : fs) {
                    try {
                        f.get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }

            @Override
            public Routing current() {
                return routers[0].current();
            }
        };
    }
}
