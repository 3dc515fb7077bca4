package dev.zdd.core.internal;

import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.LeaseLostException;
import dev.zdd.core.lock.LockOwner;

import java.util.Optional;

/**
 * What every granted lease of zdd's locks knows: its service, owner, fencing token and the owner it took over from.
 * The file and JDBC locks extend it with their store. Immutable fields; thread-safe. Internal.
 */
public abstract class LeaseGrant implements DeploymentLock.Lease {
    protected final String service;
    protected final LockOwner owner;
    protected final long token;
    private final LockOwner previous;

    protected LeaseGrant(String service, LockOwner owner, long token, LockOwner previous) {
        this.service = service;
        this.owner = owner;
        this.token = token;
        this.previous = previous;
    }

    @Override
    public LockOwner owner() {
        return owner;
    }

    @Override
    public long token() {
        return token;
    }

    @Override
    public Optional<LockOwner> tookOverFrom() {
        return Optional.ofNullable(previous);
    }

    /** What {@link #renew()} throws once this lease was released. */
    protected LeaseLostException released() {
        return new LeaseLostException(service, null, "the lease of " + owner.deploymentId() + " (token " + token
                + ") was released");
    }
}
