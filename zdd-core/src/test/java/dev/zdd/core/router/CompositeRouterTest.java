package dev.zdd.core.router;

import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.testing.RouterConformance;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CompositeRouter}: all or nothing, undo (also of timed-out and interrupted calls), disagreement, capabilities. */
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
    void passesTheFenceToEveryMember() {
        List<Long> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
        class Fenced implements dev.zdd.api.TrafficRouter {
            final InProcessRouter inner = InProcessRouter.create();

            @Override
            public void apply(dev.zdd.api.Routing routing) {
                throw new AssertionError("the composite must pass the fence");
            }

            @Override
            public void apply(dev.zdd.api.Routing routing, dev.zdd.api.Fence fence) {
                tokens.add(fence.token());
                inner.apply(routing);
            }

            @Override
            public dev.zdd.api.Routing current() {
                return inner.current();
            }
        }
        dev.zdd.api.Fence fence = new dev.zdd.api.Fence() {
            @Override
            public long token() {
                return 42;
            }

            @Override
            public void check() {
            }
        };
        CompositeRouter both = CompositeRouter.allOrNothing(new Fenced(), new Fenced());
        both.apply(ON_BLUE, fence);
        assertEquals(List.of(42L, 42L), tokens);
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
                + "undo FAILED on router-1 undo failed: reload: nginx: [emerg] host not found: the routers now disagree, "
                + "restore them by hand", e.getMessage());
        RouterException disagree = assertThrows(RouterException.class, all::current);
        assertEquals("routers disagree: router-1 -> Routing[green/2 10000, blue/1 disabled]; "
                + "router-2 -> Routing[blue/1 10000, green/2 disabled]", disagree.getMessage());
    }

    /**
     * A member whose apply blocks until {@code release} and then applies anyway (also after an interrupt, as a router
     * that finishes its reload although the caller gave up would): the worst case for an undo.
     */
    private static final class Slow implements TrafficRouter {
        final InProcessRouter inner = InProcessRouter.create();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean sawInterrupt = new AtomicBoolean();
        final boolean ignoreInterrupts;
        volatile Routing blockOn;

        Slow(Routing blockOn, boolean ignoreInterrupts) {
            this.blockOn = blockOn;
            this.ignoreInterrupts = ignoreInterrupts;
        }

        @Override
        public void apply(Routing routing) {
            if (routing.equals(blockOn)) {
                entered.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                        break;
                    } catch (InterruptedException e) {
                        sawInterrupt.set(true);
                        interrupted = true;
                        if (!ignoreInterrupts) {
                            break;
                        }
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            inner.apply(routing); // finishes late: the table is switched although the caller gave up
        }

        @Override
        public Routing current() {
            return inner.current();
        }
    }

    @Test
    void timedOutMemberIsInterruptedAndUndoneAfterItsLateFinish() {
        InProcessRouter fast = InProcessRouter.create();
        Slow slow = new Slow(ON_GREEN, false);
        CompositeRouter all = CompositeRouter.builder().router("fast", fast).router("slow", slow)
                .timeout(Duration.ofMillis(1000)).build();
        all.apply(ON_BLUE);
        try {
            RouterException e = assertThrows(RouterException.class, () -> all.apply(ON_GREEN));
            assertEquals("composite apply failed on slow apply timed out after 1000 ms (state unknown); "
                    + "undo succeeded: previous routing restored on [fast, slow]", e.getMessage());
            assertTrue(slow.sawInterrupt.get(), "the cancelled call was interrupted");
            assertSame(ON_BLUE, fast.current());
            assertSame(ON_BLUE, slow.current(), "its late switch to green was undone");
            assertTrue(all.current().sameTrafficAs(ON_BLUE), "the members agree");
        } finally {
            slow.release.countDown();
        }
    }

    @Test
    void memberIgnoringTheInterruptIsUndoneOnceItsCallEnds() throws Exception {
        InProcessRouter fast = InProcessRouter.create();
        Slow slow = new Slow(ON_GREEN, true);
        CompositeRouter all = CompositeRouter.builder().router("fast", fast).router("slow", slow)
                .timeout(Duration.ofSeconds(20)).build();
        all.apply(ON_BLUE);
        slow.blockOn = ON_GREEN;
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            // the apply times out only after 20 s: let the member end on its own, well before the undo's deadline
            Future<RouterException> result = caller.submit(() -> assertThrows(RouterException.class, () -> all.apply(ON_GREEN)));
            assertTrue(slow.entered.await(10, TimeUnit.SECONDS));
            caller.shutdownNow(); // interrupts the caller; the member ignores its own interrupt and keeps going
            await().atMost(10, TimeUnit.SECONDS).until(slow.sawInterrupt::get);
            assertFalse(result.isDone(), "the undo waits for the member's call to end");
            slow.release.countDown();
            RouterException e = result.get(30, TimeUnit.SECONDS);
            // on a loaded machine the fast member may still be in its call when the caller is interrupted: then it is
            // interrupted too and named first; either way the slow one is, and the undo restores both
            String m = e.getMessage();
            assertTrue(m.equals("composite apply failed on slow apply interrupted (state unknown); undo succeeded:"
                    + " previous routing restored on [fast, slow]") || m.equals("composite apply failed on fast apply"
                    + " interrupted (state unknown); slow apply interrupted (state unknown); undo succeeded: previous"
                    + " routing restored on [fast, slow]"), m);
            assertSame(ON_BLUE, fast.current());
            assertSame(ON_BLUE, slow.current());
        } finally {
            slow.release.countDown();
            caller.shutdownNow();
        }
    }

    @Test
    void memberStillRunningAtTheUndoDeadlineIsReported() {
        InProcessRouter fast = InProcessRouter.create();
        Slow slow = new Slow(ON_GREEN, true);
        CompositeRouter all = CompositeRouter.builder().router("fast", fast).router("slow", slow)
                .timeout(Duration.ofMillis(500)).build();
        all.apply(ON_BLUE);
        try {
            RouterException e = assertThrows(RouterException.class, () -> all.apply(ON_GREEN));
            assertEquals("composite apply failed on slow apply timed out after 500 ms (state unknown); undo FAILED on "
                    + "slow not possible: its apply call was still running after 500 ms (state unknown) "
                    + "(restored on [fast]): the routers now disagree, restore them by hand", e.getMessage());
            assertSame(ON_BLUE, fast.current());
        } finally {
            slow.release.countDown();
        }
    }

    @Test
    void interruptedCallerStillUndoesWhatWasDoneAndKeepsItsInterruptFlag() throws Exception {
        InProcessRouter fast = InProcessRouter.create();
        Slow slow = new Slow(ON_GREEN, false);
        CompositeRouter all = CompositeRouter.builder().router("fast", fast).router("slow", slow)
                .timeout(Duration.ofSeconds(30)).build();
        all.apply(ON_BLUE);
        AtomicReference<RouterException> thrown = new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                all.apply(ON_GREEN);
            } catch (RouterException e) {
                thrown.set(e);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        try {
            caller.start();
            assertTrue(slow.entered.await(10, TimeUnit.SECONDS));
            await().atMost(10, TimeUnit.SECONDS).until(() -> fast.current() == ON_GREEN);
            caller.interrupt();
            caller.join(30_000);
            assertFalse(caller.isAlive());
            // fast is normally done by then; if its call had not quite returned, it is reported unknown and undone too
            String msg = thrown.get().getMessage();
            assertTrue(msg.matches("composite apply failed on (fast apply interrupted \\(state unknown\\); )?slow apply "
                    + "interrupted \\(state unknown\\); undo succeeded: previous routing restored on \\[fast, slow]"), msg);
            assertTrue(flagAfter.get(), "the caller's interrupt flag is set again");
            assertTrue(slow.sawInterrupt.get(), "the member's call was interrupted");
            assertSame(ON_BLUE, fast.current());
            assertSame(ON_BLUE, slow.current());
        } finally {
            slow.release.countDown();
            caller.join(30_000);
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
    void passesTheNewInstanceRoundWhenItsMembersDo() throws Exception {
        // two file routers (two balancers) over the same files: a new composite of new members reads and re-applies
        Path dir = Files.createTempDirectory("zdd-composite");
        for (String f : List.of("blue1", "green1", "blue2", "green2")) {
            Files.writeString(dir.resolve(f), "ok");
        }
        java.util.function.Supplier<CompositeRouter> fresh = () -> CompositeRouter.builder()
                .router("lb1", HealthCheckFileRouter.builder().target(BLUE, dir.resolve("blue1"))
                        .target(GREEN, dir.resolve("green1")).build())
                .router("lb2", HealthCheckFileRouter.builder().target(BLUE, dir.resolve("blue2"))
                        .target(GREEN, dir.resolve("green2")).build()).build();
        RouterConformance.Report report = RouterConformance.check(fresh.get(), List.of(BLUE, GREEN),
                RouterConformance.Options.builder().newInstance(fresh).build());
        assertTrue(report.passed().contains("new instance"), report.toString());
    }

    @Test
    void stickinessOnlyWhenTheMembersAreDeclaredToHashAlike() {
        Routing sticky = Routing.evenly(List.of(BLUE, GREEN)).withStickiness(Stickiness.on(RequestKey.header("X-User")));
        CompositeRouter mixed = CompositeRouter.allOrNothing(InProcessRouter.create(), InProcessRouter.create());
        assertFalse(mixed.capabilities().stickiness(), "not declared by default");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mixed.apply(sticky));
        assertTrue(e.getMessage().startsWith("composite router [router-1, router-2] does not support stickiness"), e.getMessage());
        assertTrue(e.getMessage().contains("membersHashAlike(true)"), e.getMessage());
        RouterConformance.check(mixed, List.of(BLUE, GREEN));

        InProcessRouter one = InProcessRouter.create();
        InProcessRouter two = InProcessRouter.create();
        CompositeRouter alike = CompositeRouter.builder().router("a", one).router("b", two).membersHashAlike(true).build();
        assertTrue(alike.capabilities().stickiness());
        alike.apply(sticky);
        assertSame(sticky, one.current());
        assertSame(sticky, two.current());
        RouterConformance.check(alike, List.of(BLUE, GREEN));

        assertTrue(CompositeRouter.allOrNothing(InProcessRouter.create()).capabilities().stickiness(), "one member");
        assertFalse(CompositeRouter.DEFAULT_MEMBERS_HASH_ALIKE);
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
