package dev.zdd.core.sim;

import dev.zdd.api.Plan;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's own parts: comparisons, leftover matching, partial applies, fault scripts, scenarios. */
class SimPartsTest {
    private final Target a = Target.of("a", "v1", "10.0.0.1", 8080);
    private final Target b = Target.of("b", "v1", "10.0.0.2", 8080);

    @Test
    void routingsCompareByIdStateAndShare() {
        Routing r = Routing.of(Route.active(a, 5000), Route.active(b, 5000));
        Routing rescaled = Routing.of(Route.active(Target.of("a", "v1", "10.9.0.9", 1), 1), Route.active(b, 1));
        assertTrue(Invariants.sameById(r, rescaled), "same shares, a relaunched on another endpoint");
        assertFalse(Invariants.sameById(r, Routing.of(Route.active(a, 9000), Route.active(b, 1000))));
        assertFalse(Invariants.sameById(r, Routing.of(Route.active(a, 5000), Route.draining(b))));
        assertFalse(Invariants.sameById(r, Routing.of(Route.active(a, 5000))));
    }

    @Test
    void theFinalRoutingOfAPlanIsItsLastShift() {
        Plan p = new Plan("t", List.of(Step.ShiftTraffic.of("x", List.of(Step.Allocation.active("a", 1))),
                new Step.Pause(java.time.Duration.ofSeconds(1)),
                Step.ShiftTraffic.of("y", List.of(Step.Allocation.active("b", 1), Step.Allocation.draining("a")))));
        Routing before = Routing.of(Route.active(a, 1));
        assertTrue(Invariants.sameById(Routing.of(Route.active(b, 7), Route.draining(a)), Invariants.finalRouting(p, before)));
        Plan none = new Plan("t", List.of(new Step.Pause(java.time.Duration.ofSeconds(1))));
        assertEquals(before, Invariants.finalRouting(none, before));
    }

    @Test
    void aLeftoverNamesAnIdOnlyAsAWholeWord() {
        List<String> leftovers = List.of("target shop-v2-10 (v2 @ 10.9.0.2:8080) still running: stop it");
        assertTrue(Invariants.named(leftovers, "shop-v2-10"));
        assertFalse(Invariants.named(leftovers, "shop-v2-1"));
        assertFalse(Invariants.named(leftovers, "v2-10"));
    }

    @Test
    void aPartialApplyTakesHalfOfTheNewTableAndKeepsTheRest() {
        Target c = Target.of("c", "v2", "10.0.0.3", 8080);
        Routing now = Routing.of(Route.active(a, 5000), Route.active(b, 5000));
        Routing next = Routing.of(Route.active(c, 10000), Route.draining(a), Route.draining(b));
        Routing partly = SimRouter.partly(now, next);
        assertEquals(Routing.of(Route.active(c, 10000), Route.draining(a), Route.active(b, 5000)), partly);
    }

    @Test
    void aFaultScriptDependsOnlyOnSeedKindAndIndex() {
        FaultScript one = new FaultScript(42, 0.5, 0.5, true);
        FaultScript two = new FaultScript(42, 0.5, 0.5, true);
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            first.add(one.next(CallKind.LAUNCH).toString());
            two.next(CallKind.PROBE); // other kinds in between change nothing
            second.add(two.next(CallKind.LAUNCH).toString());
        }
        assertEquals(first, second);
        assertTrue(first.stream().anyMatch(s -> !s.contains(" OK")), "faults are drawn at rate 0.5");
        FaultScript calm = new FaultScript(42, 0.5, 0, false);
        for (int i = 0; i < 200; i++) {
            FaultScript.Decision d = calm.next(CallKind.ROUTER_APPLY);
            assertFalse(FaultScript.blocks(d.fault()), "no blocking fault when deadlines are huge: " + d);
            assertEquals(null, d.interject());
        }
    }

    @Test
    void scenariosAreTheSameForASeed() {
        for (long seed = 1; seed <= 200; seed++) {
            String one;
            try {
                one = ScenarioGenerator.generate(seed).describe();
            } catch (IllegalArgumentException e) {
                one = e.getMessage();
            }
            String two;
            try {
                two = ScenarioGenerator.generate(seed).describe();
            } catch (IllegalArgumentException e) {
                two = e.getMessage();
            }
            assertEquals(one, two, "seed " + seed);
        }
    }

    /** The guard seeds exercise both hand-over paths: failing old targets reported, a failing new target aborting. */
    @Test
    void guardSeedsReportToTheDeploymentAndSometimesAbortIt() {
        int reported = 0;
        int aborted = 0;
        int ejectedAfter = 0;
        for (long seed = 0; seed < 800; seed += 4) {
            SimRun.Outcome o = SimRun.run(seed, true);
            assertEquals(List.of(), o.violations(), "seed " + seed);
            for (String line : o.trace()) {
                if (line.contains("guard: deployment <id>:") && line.contains("reported; acted on after")) {
                    reported++;
                }
                if (line.contains("aborted the deployment, which rolls back")) {
                    aborted++;
                }
                if (line.contains("guard: ejected")) {
                    ejectedAfter++;
                }
            }
        }
        System.out.println("guard seeds: " + reported + " reported, " + aborted + " aborted, " + ejectedAfter
                + " ejections after the deployment");
        assertTrue(reported > 0 && aborted > 0 && ejectedAfter > 0,
                reported + " reported, " + aborted + " aborted, " + ejectedAfter + " ejected after");
    }
}
