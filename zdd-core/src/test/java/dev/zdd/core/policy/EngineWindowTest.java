package dev.zdd.core.policy;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent.Kind;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.Step;
import dev.zdd.core.Engine;
import dev.zdd.core.crash.ReliabilityFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static java.time.DayOfWeek.FRIDAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deploy windows and hooks in the engine, in virtual time. */
class EngineWindowTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    /** Friday 2024-05-10 17:00 Paris. */
    static final ZonedDateTime FRIDAY_5PM = ZonedDateTime.of(2024, 5, 10, 17, 0, 0, 0, PARIS);

    private static DeployWindowPolicy.Builder noFridayEvening() {
        return DeployWindowPolicy.builder().zone(PARIS).block("friday-evening", EnumSet.of(FRIDAY), LocalTime.of(16, 0),
                LocalTime.MIDNIGHT);
    }

    @Test
    void outsideTheWindowStartIsRefusedNamingTheRuleAndTheNextAllowedTime() {
        ReliabilityFixture f = new ReliabilityFixture(FRIDAY_5PM.toInstant());
        Engine engine = f.builder().policy(noFridayEvening().build()).build();
        DeployWindowException e = assertThrows(DeployWindowException.class, () -> engine.start(f.spec, ReliabilityFixture.plan()));
        assertTrue(e.getMessage().startsWith("deployment shop-v2-"), e.getMessage());
        assertTrue(e.getMessage().endsWith(" of shop v2 refused at 2024-05-10T17:00+02:00[Europe/Paris] by blocked window"
                + " 'friday-evening' (Fri 16:00-24:00); next allowed 2024-05-11T00:00+02:00[Europe/Paris]"), e.getMessage());
        assertEquals(0, f.router.applyCalls());
        assertEquals(List.of(), f.launcher.launches());
    }

    @Test
    void whenToldToWaitItStaysPendingUntilTheWindowOpensInVirtualTime() {
        ReliabilityFixture f = new ReliabilityFixture(FRIDAY_5PM.toInstant());
        Engine engine = f.builder().policy(noFridayEvening().waitUpTo(Duration.ofHours(12)).build()).build();
        Deployment d = engine.start(f.spec, ReliabilityFixture.plan());
        f.time.advance(Duration.ofHours(6)); // 23:00
        assertEquals(DeploymentStatus.PENDING, d.status());
        assertEquals(0, f.router.applyCalls());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals(ZonedDateTime.of(2024, 5, 11, 0, 0, 0, 0, PARIS).toInstant(), r.startedAt());
        // too far away for waitUpTo: refused at once
        Engine impatient = f.builder().policy(noFridayEvening().waitUpTo(Duration.ofHours(1)).build()).build();
        ReliabilityFixture g = new ReliabilityFixture(FRIDAY_5PM.toInstant());
        assertTrue(assertThrows(DeployWindowException.class, () -> g.builder().policy(noFridayEvening()
                .waitUpTo(Duration.ofHours(1)).build()).build().start(g.spec, ReliabilityFixture.plan())).getMessage()
                .endsWith("that is more than waitUpTo PT1H away"));
        assertTrue(impatient.toString().startsWith("Engine["));
    }

    @Test
    void hooksAroundEveryShiftAndAfterCompletionRunInOrderAndAVetoRollsBack() {
        ReliabilityFixture f = new ReliabilityFixture();
        List<String> calls = new ArrayList<>();
        Plan plan = Plans.withHooks(ReliabilityFixture.plan(), "before-shift", "after-shift", "completed");
        Engine engine = f.builder()
                .hook("before-shift", c -> calls.add("before " + c.routing().servingVersions()))
                .hook("after-shift", c -> calls.add("after " + c.routing().servingVersions()))
                .hook("completed", c -> calls.add("completed " + c.routing().servingVersions()))
                .build();
        assertEquals(DeploymentStatus.SUCCEEDED, f.finish(engine.start(f.spec, plan)).status());
        assertEquals(List.of("before [v1]", "after [v2, v1]", "before [v2, v1]", "after [v2]", "completed [v2]"), calls);

        ReliabilityFixture g = new ReliabilityFixture();
        int[] n = {0};
        Engine vetoing = g.builder().hook("before-shift", c -> { })
                .hook("after-shift", c -> {
                    if (++n[0] == 1) {
                        throw new IllegalStateException("error rate 7% after the first shift");
                    }
                })
                .hook("completed", c -> { }).build();
        DeploymentResult r = g.finish(vetoing.start(g.spec, plan));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().contains("hook 'after-shift' vetoed the deployment: error rate 7% after the first shift"), r.reason());
        assertEquals(g.before, g.router.table());
        assertTrue(g.events(Kind.ROLLBACK_STARTED).size() == 1);
        assertTrue(plan.steps().get(3) instanceof Step.ShiftTraffic);
    }
}
