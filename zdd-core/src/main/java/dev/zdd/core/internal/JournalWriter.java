package dev.zdd.core.internal;

import dev.zdd.api.Clock;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.JournalStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Writes one deployment's journal record after every change (no-op without a journal). A failed write is kept, not
 * thrown: in the forward phase the run makes the current step fail while it still knows what it did; later (rolling
 * back, finishing) it is only noted in the result. Every write first checks the deployment's lease and carries its
 * fencing token. Not thread-safe: confined to the deployment's actor. Internal.
 */
final class JournalWriter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final JournalStore store;
    private final String deploymentId;
    private final Clock clock;
    private final dev.zdd.api.Fence fence;
    private JournalRecord record;
    private boolean written;
    private String forwardFailure;
    private boolean forward = true;
    private final List<String> laterProblems = new ArrayList<>();

    /**
     * @param store     the store, or {@code null} for none
     * @param recovered the record of an interrupted deployment this run continues, or {@code null}
     */
    JournalWriter(JournalStore store, String deploymentId, Clock clock, JournalRecord recovered, dev.zdd.api.Fence fence) {
        this.fence = fence;
        this.store = store;
        this.deploymentId = deploymentId;
        this.clock = clock;
        this.record = recovered;
        this.written = recovered != null;
    }

    boolean enabled() {
        return store != null;
    }

    /** Writes the first record of a new deployment; returns the failure, or null when written (or no journal). */
    String begin(JournalRecord first) {
        if (store == null) {
            return null;
        }
        record = first;
        String failure = tryWrite();
        written = failure == null;
        return failure;
    }

    /** Whether a record of this deployment was ever written (a recovered one counts). */
    boolean written() {
        return written;
    }

    /** The first write failure of the forward phase, or null. */
    String forwardFailure() {
        return forwardFailure;
    }

    /** Forgets the forward failure (after a person decided to retry). */
    void clearForwardFailure() {
        forwardFailure = null;
    }

    /** Problems writing after the forward phase, for the result. */
    List<String> laterProblems() {
        return laterProblems;
    }

    /** The current record (null without a journal or before {@link #begin}). */
    JournalRecord record() {
        return record;
    }

    /** The forward phase is over (rolling back or finishing): later failures are only noted. */
    void forwardOver() {
        forward = false;
    }

    /**
     * Applies {@code change} and writes. In the forward phase a failure becomes {@link #forwardFailure()}; later it is
     * added to {@link #laterProblems()}.
     */
    void write(UnaryOperator<JournalRecord> change) {
        if (store == null || record == null || !written) {
            return;
        }
        record = change.apply(record);
        String failure = tryWrite();
        if (failure == null) {
            return;
        }
        if (forward) {
            if (forwardFailure == null) {
                forwardFailure = failure;
            }
        } else if (!laterProblems.contains(failure)) {
            laterProblems.add(failure);
        }
    }

    /** The clock used for record times. */
    Clock clock() {
        return clock;
    }

    private String tryWrite() {
        try {
            // checked before every write; the store itself refuses a token lower than the one it holds
            fence.check();
            long token = fence.token();
            if (token > 0) {
                record = record.withFencingToken(token);
            }
            store.write(record);
            return null;
        } catch (RuntimeException e) {
            String what = "journal write failed (" + Texts.message(e) + ")";
            LOG.warn("deployment {}: {}", deploymentId, what);
            return what;
        }
    }
}
