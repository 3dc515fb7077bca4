package dev.zdd.core.internal;

import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Delivers one deployment's typed events to the listeners in registration order; a listener that throws is logged and
 * ignored. Confined to the deployment's actor (so events arrive one at a time, in order). Internal.
 */
final class Events {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final String deploymentId;
    private final List<DeploymentListener> listeners;

    Events(String deploymentId, List<DeploymentListener> listeners) {
        this.deploymentId = deploymentId;
        this.listeners = listeners;
    }

    void emit(DeploymentEvent e) {
        for (DeploymentListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (VirtualMachineError x) {
                throw x;
            } catch (Throwable x) {
                LOG.warn("deployment {}: listener {} threw on {} (ignored): {}", deploymentId, l.getClass().getName(),
                        e.kind(), Texts.message(x));
            }
        }
    }
}
