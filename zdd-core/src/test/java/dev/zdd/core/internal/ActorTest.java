package dev.zdd.core.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The mailbox: order, no re-entrance, and a task that throws reaches the failure handler (the run then fails). */
class ActorTest {
    @Test
    void aFailingTaskReachesTheHandlerAndTheMailboxGoesOn() {
        List<String> log = new ArrayList<>();
        Actor actor = new Actor("test", e -> log.add("failed: " + e.getMessage()));
        actor.post(() -> {
            log.add("a");
            actor.post(() -> log.add("c"));
            log.add("b");
        });
        actor.post(() -> {
            throw new ArithmeticException("long overflow");
        });
        actor.post(() -> log.add("d"));
        assertEquals(List.of("a", "b", "c", "failed: long overflow", "d"), log);
    }

    @Test
    void aHandlerThatThrowsIsOnlyLogged() {
        List<String> log = new ArrayList<>();
        Actor actor = new Actor("test", e -> {
            throw new IllegalStateException("handler broke");
        });
        actor.post(() -> {
            throw new IllegalStateException("task broke");
        });
        actor.post(() -> log.add("still running"));
        assertEquals(List.of("still running"), log);
    }
}
