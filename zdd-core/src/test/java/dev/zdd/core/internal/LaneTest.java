package dev.zdd.core.internal;

import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The lane on its own: width, order, dropping, refusal, and abandoning a call that outlives the bounded wait. */
class LaneTest {
    private final VirtualScheduler time = new VirtualScheduler();
    /** Runnables handed to the executor, not run until the test runs them. */
    private final List<Runnable> handed = new ArrayList<>();
    private final Executor manual = handed::add;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private Lane.Job job(String name) {
        return new Lane.Job() {
            @Override
            public void run() {
                log.add("ran " + name);
            }

            @Override
            public void rejected(RejectedExecutionException e) {
                log.add("rejected " + name + ": " + e.getMessage());
            }

            @Override
            public void dropped() {
                log.add("dropped " + name);
            }

            @Override
            public void abandoned() {
                log.add("abandoned " + name);
            }

            @Override
            public void endedLate() {
                log.add("ended late " + name);
            }
        };
    }

    @Test
    void runsAtMostWidthCallsAtOnceInSubmissionOrder() {
        Lane lane = new Lane("test", manual, 2, time, Duration.ofSeconds(10));
        lane.submit("a", job("a"));
        lane.submit("b", job("b"));
        lane.submit("c", job("c"));
        assertEquals(2, handed.size());
        assertEquals(3, lane.size());
        handed.get(1).run();
        assertEquals(3, handed.size(), "c starts once b ended");
        handed.get(2).run();
        handed.get(0).run();
        assertEquals(List.of("ran b", "ran c", "ran a"), log);
        assertEquals(0, lane.size());
    }

    @Test
    void givingUpAQueuedCallDropsIt() {
        Lane lane = new Lane("test", manual, 1, time, Duration.ofSeconds(10));
        lane.submit("a", job("a"));
        lane.giveUp(lane.submit("b", job("b")));
        handed.get(0).run();
        assertEquals(1, handed.size());
        assertEquals(List.of("dropped b", "ran a"), log);
        assertEquals(0, lane.size());
    }

    @Test
    void aRefusedCallIsToldAndLeavesTheLane() {
        Lane lane = new Lane("test", r -> {
            throw new RejectedExecutionException("full");
        }, 1, time, Duration.ofSeconds(10));
        lane.submit("a", job("a"));
        lane.submit("b", job("b"));
        assertEquals(List.of("rejected a: full", "rejected b: full"), log);
        assertEquals(0, lane.size());
    }

    @Test
    void aCallGivenUpHoldsTheLaneUntilTheBoundedWaitEndsThenIsAbandoned() {
        Lane lane = new Lane("test", manual, 1, time, Duration.ofSeconds(10));
        Lane.Ticket a = lane.submit("a", job("a"));
        lane.submit("b", job("b"));
        lane.giveUp(a);
        assertEquals(1, handed.size(), "only a runs");
        time.advance(Duration.ofSeconds(9));
        assertEquals(1, handed.size(), "b still waits for a");
        time.advance(Duration.ofSeconds(1));
        assertEquals(List.of("abandoned a"), log);
        assertEquals(2, handed.size(), "b started without a");
        handed.get(1).run();
        handed.get(0).run(); // a returns at last
        assertEquals(List.of("abandoned a", "ran b", "ran a", "ended late a"), log);
        assertEquals(0, lane.size());
    }

    @Test
    void aCallGivenUpThatReturnsInTimeIsNotAbandoned() {
        Lane lane = new Lane("test", manual, 1, time, Duration.ofSeconds(10));
        Lane.Ticket a = lane.submit("a", job("a"));
        lane.submit("b", job("b"));
        lane.giveUp(a);
        handed.get(0).run(); // a returns (its interrupt ended it)
        assertEquals(2, handed.size(), "b starts at once");
        time.advance(Duration.ofMinutes(1));
        handed.get(1).run();
        assertEquals(List.of("ran a", "ran b"), log);
        assertEquals(0, time.pendingTasks());
    }
}
