package dev.zdd.api;

/**
 * Receives {@link DeploymentEvent}s. Listeners are called in registration order, one event at a time, on an engine
 * thread; they should return quickly. A listener that throws is logged and ignored: it never breaks a deployment.
 */
@FunctionalInterface
public interface DeploymentListener {
    /** Called for each event. */
    void onEvent(DeploymentEvent event);
}
