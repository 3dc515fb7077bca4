package dev.zdd.core.journal;

/**
 * A journal exists but is damaged: truncated, its checksum does not match, or it is not a zdd journal. Nothing of it was
 * used. The message names the file (or key) and what is wrong; a person must look at it (and move it away) before the
 * service can be deployed again, because the deployment it described may have left the router half-switched.
 */
public class JournalCorruptException extends JournalException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source the file or key that is damaged
     * @param detail what is wrong
     */
    public JournalCorruptException(String source, String detail) {
        super("journal " + source + " is corrupt: " + detail + "; it was not used. Check the router by hand, then move the"
                + " file away to deploy again");
        this.source = source;
    }

    /**
     * @param source the file or key that is damaged
     * @param detail what is wrong
     * @param cause  the parse error
     */
    public JournalCorruptException(String source, String detail, Throwable cause) {
        super("journal " + source + " is corrupt: " + detail + "; it was not used. Check the router by hand, then move the"
                + " file away to deploy again", cause);
        this.source = source;
    }

    /** The file or key that is damaged. */
    public String source() {
        return source;
    }
}
