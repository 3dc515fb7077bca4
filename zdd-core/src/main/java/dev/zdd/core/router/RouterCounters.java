package dev.zdd.core.router;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one target of an {@link InProcessRouter}. Thread-safe; lock-free. */
final class RouterCounters {
    final AtomicInteger inFlight = new AtomicInteger();
    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    final AtomicLongArray latencies;
    final AtomicLong latencyCount = new AtomicLong();

    RouterCounters(int window) {
        latencies = new AtomicLongArray(window);
    }

    void record(boolean ok, long nanos) {
        requests.increment();
        if (!ok) {
            errors.increment();
        }
        long n = latencyCount.getAndIncrement();
        latencies.set((int) (n % latencies.length()), nanos);
        inFlight.decrementAndGet();
    }

    InProcessRouter.TargetStats stats(String id) {
        int n = (int) Math.min(latencyCount.get(), latencies.length());
        long[] copy = new long[n];
        for (int i = 0; i < n; i++) {
            copy[i] = latencies.get(i);
        }
        Arrays.sort(copy);
        return new InProcessRouter.TargetStats(id, requests.sum(), errors.sum(), inFlight.get(), copy);
    }
}
