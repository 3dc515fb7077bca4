package dev.zdd.core.internal;

import dev.zdd.core.journal.JournalStore;
import dev.zdd.core.journal.RecoveryMode;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.policy.DeployWindowPolicy;

import java.time.Duration;

/**
 * The crash-safety and policy parts an engine was built with: journal, lock, deploy windows, recovery mode. Immutable;
 * thread-safe. Internal.
 *
 * @param journal   where progress is journaled, or {@code null}
 * @param lock      the per-service lock, or {@code null}
 * @param lockWait  how long to wait for a busy lock (zero: refuse at once)
 * @param lockRetry time between two attempts while waiting
 * @param policy    deploy windows, or {@code null}
 * @param recovery  what to do with an interrupted deployment found in the journal
 */
public record Reliability(JournalStore journal, DeploymentLock lock, Duration lockWait, Duration lockRetry,
                          DeployWindowPolicy policy, RecoveryMode recovery) {
    /** Nothing configured. */
    public static final Reliability NONE = new Reliability(null, null, Duration.ZERO, Duration.ofSeconds(1), null,
            RecoveryMode.ROLL_BACK);

    /** {@code true} when nothing is configured (the engine then behaves exactly as without this part). */
    public boolean none() {
        return journal == null && lock == null && policy == null;
    }
}
