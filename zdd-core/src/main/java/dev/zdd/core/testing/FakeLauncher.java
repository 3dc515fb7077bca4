package dev.zdd.core.testing;

import dev.zdd.api.Endpoint;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link TargetLauncher} that starts nothing: each launch returns a target on {@code 127.0.0.1} with the next fake
 * port ({@value #FIRST_PORT}, {@value #FIRST_PORT}+1, ...), and retiring forgets it. Records every launch and retire, and
 * can be told to fail or hang a launch or a retire of a given id.
 *
 * <p>Thread-safe.
 */
public final class FakeLauncher implements TargetLauncher {
    /** The first fake port. */
    public static final int FIRST_PORT = 20000;

    private final List<LaunchRequest> launches = new ArrayList<>();
    private final List<Target> launched = new ArrayList<>();
    private final List<Target> retired = new ArrayList<>();
    private final Map<String, Target> running = new LinkedHashMap<>();
    private final Map<String, String> failLaunch = new HashMap<>();
    private final Map<String, String> failRetire = new HashMap<>();
    private final Set<String> hangLaunch = new HashSet<>();
    private final Set<String> hangRetire = new HashSet<>();
    private int nextPort = FIRST_PORT;

    /** A launcher with nothing running. */
    public FakeLauncher() {
    }

    /** Marks targets started elsewhere (the ones serving before a deployment) as running. */
    public synchronized FakeLauncher adopt(Target... targets) {
        for (Target t : targets) {
            running.put(t.id(), t);
        }
        return this;
    }

    /** Every launch of {@code targetId} throws a {@link LaunchException} with {@code message}. */
    public synchronized FakeLauncher failLaunch(String targetId, String message) {
        failLaunch.put(targetId, message);
        return this;
    }

    /** Every retire of {@code targetId} throws a {@link LaunchException} with {@code message}. */
    public synchronized FakeLauncher failRetire(String targetId, String message) {
        failRetire.put(targetId, message);
        return this;
    }

    /** Every launch of {@code targetId} never answers (blocks until interrupted). */
    public synchronized FakeLauncher hangLaunch(String targetId) {
        hangLaunch.add(targetId);
        return this;
    }

    /** Every retire of {@code targetId} never answers (blocks until interrupted). */
    public synchronized FakeLauncher hangRetire(String targetId) {
        hangRetire.add(targetId);
        return this;
    }

    /** Forgets every injected failure and hang. */
    public synchronized FakeLauncher clearFaults() {
        failLaunch.clear();
        failRetire.clear();
        hangLaunch.clear();
        hangRetire.clear();
        return this;
    }

    @Override
    public Target launch(LaunchRequest request) {
        boolean hang;
        synchronized (this) {
            launches.add(request);
            String fail = failLaunch.get(request.targetId());
            if (fail != null) {
                throw new LaunchException(fail);
            }
            hang = hangLaunch.contains(request.targetId());
        }
        if (hang) {
            hang("launch of " + request.targetId());
        }
        synchronized (this) {
            Target t = new Target(request.targetId(), request.version(), new Endpoint("127.0.0.1", nextPort++),
                    request.attributes());
            launched.add(t);
            running.put(t.id(), t);
            return t;
        }
    }

    @Override
    public void retire(Target target, Duration grace) {
        boolean hang;
        synchronized (this) {
            String fail = failRetire.get(target.id());
            if (fail != null) {
                throw new LaunchException(fail);
            }
            hang = hangRetire.contains(target.id());
        }
        if (hang) {
            hang("retire of " + target.id());
        }
        synchronized (this) {
            retired.add(target);
            running.remove(target.id());
        }
    }

    private static void hang(String what) {
        try {
            VirtualScheduler.hangUntilInterrupted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(what + " interrupted");
        }
    }

    /** Every launch request, in order (including failed ones). */
    public synchronized List<LaunchRequest> launches() {
        return List.copyOf(launches);
    }

    /** Targets launched successfully, in order. */
    public synchronized List<Target> launched() {
        return List.copyOf(launched);
    }

    /** Targets retired successfully, in order. */
    public synchronized List<Target> retired() {
        return List.copyOf(retired);
    }

    /** What runs now (adopted or launched, not retired), by id in start order. */
    public synchronized Map<String, Target> running() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(running));
    }
}
