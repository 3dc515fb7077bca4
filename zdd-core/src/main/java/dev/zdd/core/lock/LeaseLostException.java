package dev.zdd.core.lock;

/**
 * A {@link DeploymentLock.Lease} is no longer its holder's: it expired and another deployment took the lock over, or it
 * was released. The message names the new holder when known. A deployment that gets it touches nothing more.
 */
public class LeaseLostException extends LockHeldException {
    private static final long serialVersionUID = 1L;

    /**
     * @param service the service
     * @param holder  who holds the lock now, or {@code null} when unknown (nobody, or not readable)
     * @param detail  what happened to the lease (for example "the lease of d1, token 4, expired and was taken over")
     */
    public LeaseLostException(String service, LockOwner holder, String detail) {
        super(service, holder, detail);
    }
}
