package dev.zdd.core.journal;

/**
 * A {@link JournalStore} refused a write because the record it holds was written with a higher fencing token: the
 * writer lost its lease to another deployment, whose journal it must not overwrite. Names both tokens.
 */
public class StaleTokenException extends JournalException {
    private static final long serialVersionUID = 1L;

    /**
     * @param service the service
     * @param stale   the writer's token
     * @param current the token of the record in the store (or of the current lease)
     * @param holder  who wrote it (deployment id), or {@code null} when unknown
     */
    public StaleTokenException(String service, long stale, long current, String holder) {
        super("journal of service '" + service + "' refused a write with fencing token " + stale + ": it holds token "
                + current + (holder == null ? "" : " written by deployment " + holder)
                + "; the writer lost its lease and must touch nothing more");
    }
}
