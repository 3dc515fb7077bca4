package dev.zdd.core.report;

import dev.zdd.api.DeploymentEvent;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a {@link DeploymentRecorder} made of one deployment's events: traffic share per version over time, probe
 * answers, check verdicts with their values, and the other milestones. This is what the JSON and SVG reports show.
 *
 * <p>Immutable; thread-safe.
 *
 * @param deploymentId the deployment
 * @param startedAt    time of the first event
 * @param finishedAt   time of the last event
 * @param status       terminal status as reported by the FINISHED event, or {@code RUNNING}
 * @param traffic      routing tables applied, in order
 * @param probes       probe answers, in order
 * @param checks       check verdicts, in order
 * @param milestones   every other event (steps, pauses, promote, rollback, finish), in order
 */
public record DeploymentTimeline(String deploymentId, Instant startedAt, Instant finishedAt, String status,
                                 List<TrafficPoint> traffic, List<ProbeMark> probes, List<CheckMark> checks,
                                 List<Milestone> milestones) {
    /** Copies the lists. */
    public DeploymentTimeline {
        traffic = List.copyOf(traffic);
        probes = List.copyOf(probes);
        checks = List.copyOf(checks);
        milestones = List.copyOf(milestones);
    }

    /**
     * A routing table took effect.
     *
     * <p>Immutable; thread-safe.
     *
     * @param time   when
     * @param label  the step's description
     * @param shares share of new requests per version, 0 to 1 (empty: nothing serving)
     */
    public record TrafficPoint(Instant time, String label, Map<String, Double> shares) {
        /** Copies. */
        public TrafficPoint {
            shares = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(shares));
        }
    }

    /**
     * One probe answer.
     *
     * <p>Immutable; thread-safe.
     *
     * @param time    when
     * @param target  target id (empty when the message did not name one)
     * @param healthy whether it was healthy
     * @param message the engine's message
     */
    public record ProbeMark(Instant time, String target, boolean healthy, String message) {
    }

    /**
     * One check verdict.
     *
     * <p>Immutable; thread-safe.
     *
     * @param time         when
     * @param name         check name
     * @param verdict      PASS, FAIL or INCONCLUSIVE
     * @param detail       why
     * @param measurements values measured (NaN when there was no data)
     */
    public record CheckMark(Instant time, String name, String verdict, String detail, Map<String, Double> measurements) {
        /** Copies. */
        public CheckMark {
            measurements = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(measurements));
        }
    }

    /**
     * Any other event.
     *
     * <p>Immutable; thread-safe.
     *
     * @param time    when
     * @param kind    event kind
     * @param step    step description (may be empty)
     * @param message message (may be empty)
     * @param failed  whether it reports a failure (a step that failed)
     */
    public record Milestone(Instant time, DeploymentEvent.Kind kind, String step, String message, boolean failed) {
    }
}
