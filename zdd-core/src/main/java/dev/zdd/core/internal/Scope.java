package dev.zdd.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The outstanding timers and blocking calls of one step (or rollback action). Closing the scope cancels them all, in
 * the order they were added (so that a seeded simulation replays the same way), and makes late answers be ignored.
 *
 * <p>Not thread-safe: confined to a deployment's {@link Actor}. Internal.
 */
final class Scope {
    private final Set<Runnable> cancels = new LinkedHashSet<>();
    private boolean closed;

    boolean closed() {
        return closed;
    }

    void add(Runnable cancel) {
        if (closed) {
            cancel.run();
        } else {
            cancels.add(cancel);
        }
    }

    void remove(Runnable cancel) {
        cancels.remove(cancel);
    }

    /** Cancels everything outstanding; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Runnable c : new ArrayList<>(cancels)) {
            c.run();
        }
        cancels.clear();
    }
}
