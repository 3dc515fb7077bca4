package dev.zdd.core.journal;

import dev.zdd.api.ZddException;

/** A journal could not be written or read. The message names the file or store and the cause. */
public class JournalException extends ZddException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message. */
    public JournalException(String message) {
        super(message);
    }

    /** An exception with a message and a cause. */
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
