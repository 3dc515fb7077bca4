package dev.zdd.core.journal;

import java.util.Optional;

/**
 * Keeps the latest {@link JournalRecord} of each service durably, so that a deployment interrupted by a crash can be
 * rolled back or resumed by the next process. {@link FileJournalStore} keeps one file per service in a directory; teams
 * can implement this interface over a shared store (a database row, a key-value store) using {@link JournalCodec} for
 * the encoding.
 *
 * <p>Implementations must be thread-safe. A write must be atomic and durable when it returns: after a crash at any
 * moment, {@link #read(String)} returns either the previous record or the new one, never a mix.
 */
public interface JournalStore {
    /**
     * Replaces the service's record with {@code record}, durably and atomically.
     *
     * @throws JournalException when it cannot be written (disk full, no permission...)
     */
    void write(JournalRecord record);

    /**
     * The service's latest record, if any.
     *
     * @throws JournalCorruptException when a record exists but is damaged (truncated, checksum mismatch, not a journal)
     * @throws JournalException        when it cannot be read
     */
    Optional<JournalRecord> read(String service);
}
