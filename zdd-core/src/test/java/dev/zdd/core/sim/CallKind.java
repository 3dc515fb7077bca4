package dev.zdd.core.sim;

/** The collaborator calls the simulator scripts, each with the faults it can show. */
enum CallKind {
    ROUTER_APPLY(Fault.OK, Fault.SLOW, Fault.THROW, Fault.HANG, Fault.LATE, Fault.LATE_UNINTERRUPTIBLE, Fault.PARTIAL),
    ROUTER_CURRENT(Fault.OK, Fault.SLOW, Fault.THROW, Fault.HANG, Fault.LATE),
    LAUNCH(Fault.OK, Fault.SLOW, Fault.THROW, Fault.HANG, Fault.LATE_UNINTERRUPTIBLE, Fault.DONE_THEN_THROW,
            Fault.DONE_THEN_HANG),
    RETIRE(Fault.OK, Fault.SLOW, Fault.THROW, Fault.HANG, Fault.LATE_UNINTERRUPTIBLE, Fault.DONE_THEN_THROW,
            Fault.DONE_THEN_HANG),
    PROBE(Fault.OK, Fault.SLOW, Fault.THROW, Fault.HANG, Fault.LATE, Fault.BAD, Fault.UNSURE, Fault.NULL),
    CHECK(Fault.OK, Fault.SLOW, Fault.THROW, Fault.HANG, Fault.LATE, Fault.BAD, Fault.UNSURE, Fault.NULL),
    HOOK(Fault.OK, Fault.SLOW, Fault.THROW, Fault.HANG, Fault.LATE),
    JOURNAL_WRITE(Fault.OK, Fault.THROW),
    LOCK(Fault.OK, Fault.THROW),
    /** A lease renewal: throws as an unreachable store. */
    RENEW(Fault.OK, Fault.THROW);

    private final Fault[] faults;

    CallKind(Fault... faults) {
        this.faults = faults;
    }

    /** The faults this call can show, {@link Fault#OK} first. */
    Fault[] faults() {
        return faults.clone();
    }
}
