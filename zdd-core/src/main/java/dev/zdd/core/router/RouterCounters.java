package dev.zdd.core.router;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests in flight of one target of an {@link InProcessRouter} (what a drain waits for). Completed requests are
 * counted once, in the router's {@link dev.zdd.core.analysis.RequestRecorder}; failures in a row, for outlier detection,
 * in {@link Ejections}. Thread-safe; lock-free.
 */
final class RouterCounters {
    final AtomicInteger inFlight = new AtomicInteger();
}
