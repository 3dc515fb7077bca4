package dev.zdd.examples.demo;

import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;
import dev.zdd.core.testing.TestBackend;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A custom {@link TargetLauncher}, the kind a user writes: each launch starts the demo app (a {@link TestBackend}) for
 * the requested version on an ephemeral port of 127.0.0.1; retire stops it. While {@link #breakLaunches(boolean)} is on,
 * launched instances pass their first health checks, then answer them with 503 once they have served
 * {@code breakAfterRequests} ordinary requests (those keep working): a version that degrades under real traffic, to show
 * an automatic rollback. Thread-safe.
 */
public final class InProcessLauncher implements TargetLauncher, AutoCloseable {
    private final Map<String, TestBackend> running = new ConcurrentHashMap<>();
    private volatile boolean broken;
    private final int breakAfterRequests;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-launcher-timer");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param breakAfterRequests after how many ordinary requests a broken instance turns unhealthy
     */
    public InProcessLauncher(int breakAfterRequests) {
        this.breakAfterRequests = breakAfterRequests;
    }

    /** From now on, launch broken instances ({@code true}) or good ones. */
    public void breakLaunches(boolean value) {
        broken = value;
    }

    @Override
    public Target launch(LaunchRequest request) {
        TestBackend backend;
        try {
            backend = TestBackend.start(request.version());
        } catch (IOException e) {
            throw new LaunchException("could not start " + request.targetId() + ": " + e.getMessage(), e);
        }
        TestBackend previous = running.put(request.targetId(), backend);
        if (previous != null) {
            previous.close();
        }
        if (broken) {
            timer.scheduleWithFixedDelay(() -> {
                if (backend.requests() >= breakAfterRequests) {
                    backend.healthy(false);
                }
            }, 20, 20, TimeUnit.MILLISECONDS);
        }
        return backend.target(request.targetId(), request.attributes());
    }

    @Override
    public void retire(Target target, Duration grace) {
        TestBackend backend = running.remove(target.id());
        if (backend != null) {
            backend.close();
        }
    }

    /** Stops every backend still running. */
    @Override
    public void close() {
        running.values().forEach(TestBackend::close);
        running.clear();
        timer.shutdownNow();
    }
}
