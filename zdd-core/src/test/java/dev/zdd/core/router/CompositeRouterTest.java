package dev.zdd.core.router;

import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.testing.RouterConformance;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CompositeRouter}: all or nothing, undo, disagreement, capabilities. */
class CompositeRouterTest {
    private static final Target BLUE = Target.of("blue", "1", "127.0.0.1", 9201);
    private static final Target GREEN = Target.of("green", "2", "127.0.0.1", 9202);
    private static final Routing ON_BLUE = Routing.of(Route.active(BLUE, 10_000), Route.disabled(GREEN));
    private static final Routing ON_GREEN = Routing.of(Route.active(GREEN, 10_000), Route.disabled(BLUE));

    /** A real in-process router that refuses one particular table (as a router whose reload fails would). */
    private static final class Failing implements TrafficRouter {
        final InProcessRouter inner = InProcessRouter.create();
        final AtomicInteger failures = new AtomicInteger();
        volatile Routing refuse;
        volatile boolean failEverything;

        @Override
        public void apply(Routing routing) {
            if (failEverything || routing.equals(refuse)) {
                failures.incrementAndGet();
                throw new RouterException("reload: nginx: [emerg] host not found");
            }
            inner.apply(routing);
        }

        @Override
        public Routing current() {
            return inner.current();
        }

        @Override
        public RouterCapabilities capabilities() {
            return inner.capabilities();
        }
    }

    @Test
    void appliesToAllAndReadsTheCommonTable() {
        InProcessRouter one = InProcessRouter.create();
        InProcessRouter two = InProcessRouter.create();
        CompositeRouter both = CompositeRouter.allOrNothing(one, two);
        both.apply(ON_BLUE);
        assertSame(ON_BLUE, one.current());
        assertSame(ON_BLUE, two.current());
        assertTrue(both.current().sameTrafficAs(ON_BLUE));
        assertEquals(List.of("router-1", "router-2"), both.names());
        RouterConformance.check(both, List.of(BLUE, GREEN));
    }

    @Test
    void oneFailingMemberIsUndoneOnTheOthers() {
        InProcessRouter one = InProcessRouter.create();
        Failing two = new Failing();
        InProcessRouter three = InProcessRouter.create();
        CompositeRouter all = CompositeRouter.builder().router("nginx-1", one).router("nginx-2", two)
                .router("app", three).timeout(Duration.ofSeconds(10)).build();
        all.apply(ON_BLUE);
        two.refuse = ON_GREEN;
        RouterException e = assertThrows(RouterException.class, () -> all.apply(ON_GREEN));
        assertEquals("composite apply failed on nginx-2 apply failed: reload: nginx: [emerg] host not found; "
                + "undo succeeded: previous routing restored on [nginx-1, app]", e.getMessage());
        assertSame(ON_BLUE, one.current(), "undone");
        assertSame(ON_BLUE, three.current(), "undone");
        assertSame(ON_BLUE, two.current(), "never changed");
        assertTrue(all.current().sameTrafficAs(ON_BLUE));
    }

    @Test
    void failedUndoIsReportedAndCurrentSaysTheRoutersDisagree() {
        Failing one = new Failing();
        Failing two = new Failing();
        CompositeRouter all = CompositeRouter.allOrNothing(one, two);
        all.apply(ON_BLUE);
        two.refuse = ON_GREEN;
        one.refuse = ON_BLUE; // one accepts green but refuses to go back
        RouterException e = assertThrows(RouterException.class, () -> all.apply(ON_GREEN));
        assertEquals("composite apply failed on router-2 apply failed: reload: nginx: [emerg] host not found; "
                + "undo FAILED on router-1 failed: reload: nginx: [emerg] host not found: the routers now disagree, "
                + "restore them by hand", e.getMessage());
        RouterException disagree = assertThrows(RouterException.class, all::current);
        assertEquals("routers disagree: router-1 -> Routing[green/2 10000, blue/1 disabled]; "
                + "router-2 -> Routing[blue/1 10000, green/2 disabled]", disagree.getMessage());
    }

    @Test
    void hangingMemberTimesOutAndTheOthersAreUndone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        InProcessRouter fast = InProcessRouter.create();
        InProcessRouter slowInner = InProcessRouter.create();
        TrafficRouter slow = new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                if (routing.equals(ON_GREEN)) {
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                slowInner.apply(routing);
            }

            @Override
            public Routing current() {
                return slowInner.current();
            }
        };
        CompositeRouter all = CompositeRouter.builder().router("fast", fast).router("slow", slow)
                .timeout(Duration.ofMillis(1000)).build();
        all.apply(ON_BLUE);
        try {
            RouterException e = assertThrows(RouterException.class, () -> all.apply(ON_GREEN));
            assertEquals("composite apply failed on slow apply timed out after 1000 ms (state unknown); "
                    + "undo succeeded: previous routing restored on [fast]", e.getMessage());
            assertSame(ON_BLUE, fast.current());
        } finally {
            release.countDown();
        }
    }

    @Test
    void unreadableMemberMeansNothingIsTouched() {
        InProcessRouter one = InProcessRouter.create();
        TrafficRouter broken = new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                throw new AssertionError("must not be called");
            }

            @Override
            public Routing current() {
                throw new RouterException("show servers state: connection refused");
            }
        };
        CompositeRouter all = CompositeRouter.allOrNothing(one, broken);
        RouterException e = assertThrows(RouterException.class, () -> all.apply(ON_BLUE));
        assertEquals("composite apply: could not read the current routing (nothing was changed) of router-2: "
                + "read current failed: show servers state: connection refused", e.getMessage());
        assertSame(Routing.EMPTY, one.current());
    }

    @Test
    void capabilitiesAreTheIntersection(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("blue"), "ok");
        Files.writeString(dir.resolve("green"), "ok");
        HealthCheckFileRouter files = HealthCheckFileRouter.builder().target(BLUE, dir.resolve("blue"))
                .target(GREEN, dir.resolve("green")).build();
        CompositeRouter mixed = CompositeRouter.allOrNothing(InProcessRouter.create(), files);
        assertEquals(new RouterCapabilities(1, false, false, false, false), mixed.capabilities());
        assertThrows(IllegalArgumentException.class,
                () -> mixed.apply(Routing.of(Route.active(BLUE, 1000), Route.active(GREEN, 9000))));
        assertThrows(RouterException.class, mixed::current, "a fresh in-process router and the files disagree");
        mixed.apply(Routing.evenly(List.of(BLUE, GREEN)));
        RouterConformance.check(mixed, List.of(BLUE, GREEN));
    }

    @Test
    void builderValidates() {
        InProcessRouter r = InProcessRouter.create();
        assertThrows(IllegalArgumentException.class, CompositeRouter::allOrNothing);
        assertThrows(IllegalArgumentException.class, () -> CompositeRouter.builder().router("a b", r));
        assertThrows(IllegalArgumentException.class, () -> CompositeRouter.builder().router("a", r).router("b", r));
        assertThrows(IllegalArgumentException.class, () -> CompositeRouter.builder().timeout(Duration.ZERO));
    }
}
