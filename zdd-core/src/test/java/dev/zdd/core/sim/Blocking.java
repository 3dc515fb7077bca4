package dev.zdd.core.sim;

import dev.zdd.core.testing.VirtualScheduler;

import java.time.Duration;

/** The blocking part of a scripted call, in virtual time. Outside a call of the virtual executor nothing blocks. */
final class Blocking {
    private Blocking() {
    }

    /**
     * Blocks as the decision's fault says before the call's effect: SLOW and LATE interruptibly, LATE_UNINTERRUPTIBLE
     * ignoring interrupts, HANG until interrupted.
     *
     * @param deadline the deadline the engine gives this call
     */
    static void before(FaultScript.Decision d, Duration deadline) throws InterruptedException {
        if (!VirtualScheduler.inCall()) {
            return;
        }
        switch (d.fault()) {
            case SLOW, LATE -> VirtualScheduler.blockFor(d.blockTime(deadline));
            case LATE_UNINTERRUPTIBLE -> VirtualScheduler.blockUninterruptiblyFor(d.blockTime(deadline));
            case HANG -> VirtualScheduler.hangUntilInterrupted();
            default -> {
            }
        }
    }

    /** Hangs until interrupted (DONE_THEN_HANG after the effect). */
    static void hang() throws InterruptedException {
        if (VirtualScheduler.inCall()) {
            VirtualScheduler.hangUntilInterrupted();
        }
    }

    /** Whether the call was cut off by the engine (the flag stays set). */
    static boolean interrupted() {
        return Thread.currentThread().isInterrupted();
    }
}
