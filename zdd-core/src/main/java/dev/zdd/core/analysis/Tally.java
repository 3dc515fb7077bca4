package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counts of one deployment's measurements and the running verdict. Not thread-safe: callers synchronize. */
final class Tally {
    /** How one measurement went. */
    enum Outcome { PASS, FAIL, INCONCLUSIVE, NOT_JUDGED }

    private final AnalysisSchedule schedule;
    int calls;
    int judged;
    int passed;
    int failed;
    int inconclusive;

    Tally(AnalysisSchedule schedule) {
        this.schedule = schedule;
    }

    /** Records one measurement (an opening one included) and gives the running verdict. */
    CheckResult.Verdict add(Outcome outcome, boolean opening) {
        calls++;
        switch (outcome) {
            case PASS -> passed++;
            case FAIL -> failed++;
            case INCONCLUSIVE -> inconclusive++;
            default -> {
            }
        }
        if (!opening) {
            judged++;
        }
        if (failed > schedule.failureLimit()) {
            return CheckResult.Verdict.FAIL;
        }
        if (inconclusive > schedule.inconclusiveLimit()) {
            return CheckResult.Verdict.INCONCLUSIVE;
        }
        if (judged >= schedule.measurements() && passed == 0) {
            return CheckResult.Verdict.INCONCLUSIVE;
        }
        return CheckResult.Verdict.PASS;
    }

    /** Measurement counters for the result. */
    Map<String, Double> counters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("measurement", (double) judged);
        m.put("passed", (double) passed);
        m.put("failed", (double) failed);
        m.put("inconclusive", (double) inconclusive);
        return m;
    }

    String summary(CheckResult.Verdict verdict) {
        return "measurement " + judged + " (" + schedule.measurements() + " per traffic step): " + passed + " passed, " + failed
                + " failed (limit " + schedule.failureLimit() + "), " + inconclusive + " inconclusive (limit " + schedule.inconclusiveLimit() + ") -> "
                + verdict;
    }
}
