package dev.zdd.core.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A serial mailbox: tasks posted from any thread run one at a time, in posting order, on whichever thread finds the
 * mailbox idle (the poster drains it). State touched only inside tasks needs no locks. A task that throws is logged and
 * the mailbox goes on. Posting from inside a task queues the new task after the current one (never re-entrant).
 *
 * <p>Thread-safe. Internal: not part of zdd's API.
 */
public final class Actor {
    private static final Logger LOG = LoggerFactory.getLogger(Actor.class);

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final String name;

    /** A mailbox named {@code name} in logs. */
    public Actor(String name) {
        this.name = name;
    }

    /** Queues {@code task} and drains the mailbox on this thread unless another thread is draining it. */
    public void post(Runnable task) {
        queue.add(task);
        while (!queue.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                Runnable r;
                while ((r = queue.poll()) != null) {
                    try {
                        r.run();
                    } catch (VirtualMachineError e) {
                        throw e;
                    } catch (Throwable e) {
                        LOG.error("{}: internal task failed", name, e);
                    }
                }
            } finally {
                draining.set(false);
            }
        }
    }
}
