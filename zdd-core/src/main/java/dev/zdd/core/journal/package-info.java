/**
 * Crash safety: the deployment journal ({@link dev.zdd.core.journal.JournalStore}, file implementation
 * {@link dev.zdd.core.journal.FileJournalStore}) and what an engine does with a deployment it finds interrupted
 * ({@link dev.zdd.core.journal.RecoveryMode}). See {@code docs/reliability.md}.
 */
package dev.zdd.core.journal;
