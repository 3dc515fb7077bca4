package dev.zdd.core.sim;

/** What one collaborator call does in a run, chosen by the {@link FaultScript}. */
enum Fault {
    /** Answers normally, at once. */
    OK,
    /** Answers normally after some virtual time within its deadline. */
    SLOW,
    /** Throws before doing anything. */
    THROW,
    /** Never answers until interrupted; does nothing. */
    HANG,
    /** Would answer after its deadline; interruptible, so it does nothing when cut off. */
    LATE,
    /** Does its work after its deadline whatever happens (ignores interrupts), then returns. */
    LATE_UNINTERRUPTIBLE,
    /** Router apply: changes part of the table, then throws. */
    PARTIAL,
    /** Does its work (starts or stops the instance), then throws. */
    DONE_THEN_THROW,
    /** Does its work (starts or stops the instance), then hangs until interrupted. */
    DONE_THEN_HANG,
    /** Probe: unhealthy; check: FAIL. */
    BAD,
    /** Probe: unknown; check: INCONCLUSIVE. */
    UNSURE,
    /** Returns null. */
    NULL
}
