package dev.zdd.core.analysis;

import dev.zdd.api.Step;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When and how often an analysis measures, and how many bad measurements it tolerates.
 *
 * <p>The engine runs a {@link dev.zdd.api.DeploymentCheck} once per {@link Step.Check}, so an analysis is a plan
 * fragment: {@link #steps(String)} gives {@code Check, [Pause(interval), Check] x measurements}. The first check opens
 * the window (the sources take their first reading; nothing is judged yet), each later one judges the window since the
 * one before; a check that sees a different routing than the one before opens a new window, so the fragment can follow
 * every traffic step of a canary (the counts and limits then run over the whole deployment). The check answers PASS while the counts are within the limits, FAIL as soon as more than
 * {@code failureLimit} measurements failed, INCONCLUSIVE as soon as more than {@code inconclusiveLimit} were
 * inconclusive (no traffic, no data, a source that could not be read), and INCONCLUSIVE at the last measurement when
 * none passed.
 *
 * <p>Immutable; thread-safe.
 *
 * @param interval          time between measurements (the window of each), positive
 * @param measurements      number of judged measurements, 1 to 10000
 * @param failureLimit      failed measurements tolerated, 0 or more (0: the first failure fails)
 * @param inconclusiveLimit inconclusive measurements tolerated, 0 or more
 */
public record AnalysisSchedule(Duration interval, int measurements, int failureLimit, int inconclusiveLimit) {
    /** Default interval: 1 minute. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    /** Default number of measurements: 5. */
    public static final int DEFAULT_MEASUREMENTS = 5;
    /** Default failure limit: 0 (the first failed measurement fails the analysis). */
    public static final int DEFAULT_FAILURE_LIMIT = 0;
    /** Default inconclusive limit: 1. */
    public static final int DEFAULT_INCONCLUSIVE_LIMIT = 1;
    /** The defaults. */
    public static final AnalysisSchedule DEFAULTS = new AnalysisSchedule(DEFAULT_INTERVAL, DEFAULT_MEASUREMENTS,
            DEFAULT_FAILURE_LIMIT, DEFAULT_INCONCLUSIVE_LIMIT);

    /** Validates; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public AnalysisSchedule {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("schedule.interval must be positive, was " + interval);
        }
        if (measurements < 1 || measurements > 10_000) {
            throw new IllegalArgumentException("schedule.measurements must be in [1, 10000], was " + measurements);
        }
        if (failureLimit < 0) {
            throw new IllegalArgumentException("schedule.failureLimit must not be negative, was " + failureLimit);
        }
        if (inconclusiveLimit < 0) {
            throw new IllegalArgumentException("schedule.inconclusiveLimit must not be negative, was " + inconclusiveLimit);
        }
    }

    /** The plan fragment for the check registered as {@code checkName}: {@code Check, [Pause, Check] x measurements}. */
    public List<Step> steps(String checkName) {
        List<Step> out = new ArrayList<>(1 + 2 * measurements);
        out.add(new Step.Check(checkName));
        for (int i = 0; i < measurements; i++) {
            out.add(new Step.Pause(interval));
            out.add(new Step.Check(checkName));
        }
        return List.copyOf(out);
    }

    /** The whole time the fragment takes (measurements x interval). */
    public Duration duration() {
        return interval.multipliedBy(measurements);
    }
}
