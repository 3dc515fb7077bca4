package dev.zdd.core.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * ERROR logs of the engine's actors ("internal task failed"), captured by {@link CapturingLogs} (the test-only slf4j
 * provider of zdd-core's tests), so that the simulator can tell that a task failed inside the engine. Thread-safe.
 */
final class ActorErrors {
    /** The logger the engine's actors log internal failures to. */
    static final String LOGGER = "dev.zdd.core.internal.Actor";

    private static final ConcurrentLinkedQueue<String> ERRORS = new ConcurrentLinkedQueue<>();

    private ActorErrors() {
    }

    static void record(String message, Throwable t) {
        ERRORS.add(message + (t == null ? "" : ": " + t));
    }

    /** Takes the errors that mention {@code deploymentId} (the actor's name carries it). */
    static List<String> take(String deploymentId) {
        List<String> out = new ArrayList<>();
        for (String e : ERRORS) {
            if (e.contains(deploymentId + ":") && ERRORS.remove(e)) {
                out.add(e.replace(deploymentId, "<id>"));
            }
        }
        return out;
    }

    /** Whether the capturing provider is the one slf4j uses (else errors cannot be seen). */
    static boolean capturing() {
        return org.slf4j.LoggerFactory.getILoggerFactory() instanceof CapturingLogs.Factory;
    }
}
