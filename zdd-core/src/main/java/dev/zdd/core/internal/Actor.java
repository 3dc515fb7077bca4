package dev.zdd.core.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A serial mailbox: tasks posted from any thread run one at a time, in posting order, on whichever thread finds the
 * mailbox idle (the poster drains it). State touched only inside tasks needs no locks. Posting from inside a task queues
 * the new task after the current one (never re-entrant). A task that throws is logged at ERROR and handed to the
 * failure handler (the deployment then fails instead of carrying on in a state nobody planned); a handler that throws
 * too is only logged.
 *
 * <p>Thread-safe. Internal: not part of zdd's API.
 */
public final class Actor {
    private static final Logger LOG = LoggerFactory.getLogger(Actor.class);

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final String name;
    private final Consumer<Throwable> onFailure;

    /** A mailbox named {@code name} in logs whose failing tasks are only logged. */
    public Actor(String name) {
        this(name, e -> { });
    }

    /** A mailbox named {@code name} in logs; {@code onFailure} hears about each task that threw (on the mailbox). */
    public Actor(String name, Consumer<Throwable> onFailure) {
        this.name = name;
        this.onFailure = onFailure;
    }

    /** Queues {@code task} and drains the mailbox on this thread unless another thread is draining it. */
    public void post(Runnable task) {
        queue.add(task);
        while (!queue.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                Runnable r;
                while ((r = queue.poll()) != null) {
                    runOne(r);
                }
            } finally {
                draining.set(false);
            }
        }
    }

    private void runOne(Runnable r) {
        try {
            r.run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.error("{}: internal task failed", name, e);
            try {
                onFailure.accept(e);
            } catch (VirtualMachineError e2) {
                throw e2;
            } catch (Throwable e2) {
                LOG.error("{}: the failure handler failed too", name, e2);
            }
        }
    }
}
