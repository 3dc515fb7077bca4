package dev.zdd.core.lock;

import dev.zdd.api.ZddException;

import java.util.Optional;

/**
 * A {@link DeploymentLock} is held by another deployment: this one is refused. The message says who holds it (deployment
 * id, pid, host, since when) when that is known.
 */
public class LockHeldException extends ZddException {
    private static final long serialVersionUID = 1L;

    private final String service;
    private final transient LockOwner holder;

    /**
     * @param service the service
     * @param holder  who holds it, or {@code null} when unknown
     * @param detail  extra words appended to the message (may be empty)
     */
    public LockHeldException(String service, LockOwner holder, String detail) {
        super("service '" + service + "' is being deployed by "
                + (holder == null ? "another deployment (owner unknown)" : holder.toString())
                + (detail == null || detail.isEmpty() ? "" : "; " + detail));
        this.service = service;
        this.holder = holder;
    }

    /** The service whose lock is held. */
    public String service() {
        return service;
    }

    /** Who holds the lock, when known. */
    public Optional<LockOwner> holder() {
        return Optional.ofNullable(holder);
    }
}
