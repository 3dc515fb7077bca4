package dev.zdd.core.policy;

import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.function.Executable;

import static java.time.DayOfWeek.FRIDAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeployWindowPolicyTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    /** Bad inputs tried by this class (reported in docs/reliability.md). */
    static int badInputs;

    private static Instant paris(String localDateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), PARIS).toInstant();
    }

    private static final DeployWindowPolicy TEAM = DeployWindowPolicy.builder()
            .zone(PARIS)
            .allow("low-traffic", EnumSet.allOf(DayOfWeek.class), LocalTime.of(22, 0), LocalTime.of(6, 0))
            .allow("office-hours", EnumSet.range(DayOfWeek.MONDAY, FRIDAY), LocalTime.of(9, 0), LocalTime.of(12, 0))
            .block("friday-evening", EnumSet.of(FRIDAY), LocalTime.of(16, 0), LocalTime.MIDNIGHT)
            .freeze("black-friday", LocalDate.of(2024, 11, 29), LocalDate.of(2024, 12, 2))
            .build();

    @Test
    void fridayEveningIsRefusedNamingTheRuleAndTheNextAllowedTime() {
        // Friday 2024-05-10 23:00 Paris: inside low-traffic, but friday-evening blocks until midnight
        DeployWindowPolicy.Decision d = TEAM.evaluate(paris("2024-05-10T23:00"));
        assertFalse(d.allowed());
        assertEquals("blocked window 'friday-evening' (FRI 16:00-24:00)", d.rule().replace("Fri", "FRI"));
        assertEquals(Optional.of(paris("2024-05-11T00:00")), d.nextAllowed());
        DeployWindowException e = assertThrows(DeployWindowException.class,
                () -> TEAM.check(paris("2024-05-10T23:00"), "deployment d1 of web 2.0"));
        assertTrue(e.getMessage().startsWith("deployment d1 of web 2.0 refused at 2024-05-10T23:00+02:00[Europe/Paris] by"
                + " blocked window 'friday-evening'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("next allowed 2024-05-11T00:00+02:00[Europe/Paris]"), e.getMessage());
        assertEquals(d.rule(), e.rule());
        assertEquals(d.nextAllowed(), e.nextAllowed());
    }

    @Test
    void outsideTheAllowedWindowsTheNextOneIsNamed() {
        DeployWindowPolicy.Decision d = TEAM.evaluate(paris("2024-05-07T13:30")); // Tuesday
        assertFalse(d.allowed());
        assertTrue(d.rule().startsWith("outside the allowed windows 'low-traffic' (every day 22:00-06:00), 'office-hours'"),
                d.rule());
        assertEquals(Optional.of(paris("2024-05-07T22:00")), d.nextAllowed());
        // Saturday midday: office hours are weekdays only, next is Saturday 22:00
        assertEquals(Optional.of(paris("2024-05-11T22:00")), TEAM.evaluate(paris("2024-05-11T12:00")).nextAllowed());
    }

    @Test
    void windowsAllowInsideAndAcrossMidnight() {
        assertTrue(TEAM.evaluate(paris("2024-05-07T10:00")).allowed(), "office hours");
        assertTrue(TEAM.evaluate(paris("2024-05-07T22:00")).allowed(), "start is inclusive");
        assertTrue(TEAM.evaluate(paris("2024-05-08T05:59")).allowed(), "after midnight, same window");
        assertFalse(TEAM.evaluate(paris("2024-05-08T06:00")).allowed(), "end is exclusive");
        assertTrue(TEAM.evaluate(paris("2024-05-11T01:00")).allowed(), "Saturday night after the Friday block");
        assertFalse(TEAM.evaluate(paris("2024-05-10T12:00")).allowed(), "Friday noon: office hours end at 12:00");
        assertTrue(TEAM.evaluate(paris("2024-05-10T11:59")).allowed());
    }

    @Test
    void aNamedFreezeRefusesWholeDaysUntilItEnds() {
        DeployWindowPolicy.Decision d = TEAM.evaluate(paris("2024-11-30T23:00"));
        assertEquals("freeze 'black-friday' (2024-11-29 to 2024-12-02)", d.rule());
        assertEquals(Optional.of(paris("2024-12-03T00:00")), d.nextAllowed(), "first minute after the freeze, in low-traffic");
        DeployWindowPolicy only = DeployWindowPolicy.builder().freeze("audit", LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 1)).build();
        assertEquals(Optional.of(Instant.parse("2024-01-02T00:00:00Z")), only.evaluate(Instant.parse("2024-01-01T10:00:00Z")).nextAllowed());
        assertTrue(only.evaluate(Instant.parse("2024-01-02T00:00:00Z")).allowed());
    }

    @Test
    void noAllowedTimeWithinTwoYearsIsSaid() {
        DeployWindowPolicy p = DeployWindowPolicy.builder().freeze("forever", LocalDate.of(2024, 1, 1), LocalDate.of(2030, 1, 1)).build();
        DeployWindowPolicy.Decision d = p.evaluate(Instant.parse("2024-06-01T00:00:00Z"));
        assertEquals(Optional.empty(), d.nextAllowed());
        assertTrue(d.describe().endsWith("next allowed time: none within 731 days"), d.describe());
    }

    @Test
    void daylightSavingDaysUseWallClockTime() {
        // 2024-03-31: Paris clocks jump from 02:00 to 03:00
        DeployWindowPolicy p = DeployWindowPolicy.builder().zone(PARIS)
                .allow("early", EnumSet.allOf(DayOfWeek.class), LocalTime.of(3, 0), LocalTime.of(4, 0)).build();
        assertTrue(p.evaluate(Instant.parse("2024-03-31T01:30:00Z")).allowed(), "03:30 CEST");
        assertEquals(Optional.of(Instant.parse("2024-03-31T01:00:00Z")),
                p.evaluate(Instant.parse("2024-03-30T23:00:00Z")).nextAllowed(), "03:00 CEST is 01:00Z that day");
    }

    @Test
    void alwaysAllowsAndDefaultsAreDocumented() {
        assertTrue(DeployWindowPolicy.ALWAYS.evaluate(Instant.EPOCH).allowed());
        assertEquals(DeployWindowPolicy.OnRefusal.REFUSE, DeployWindowPolicy.ALWAYS.onRefusal());
        assertEquals(DeployWindowPolicy.DEFAULT_ZONE, DeployWindowPolicy.ALWAYS.zone());
        DeployWindowPolicy w = DeployWindowPolicy.builder().waitUpTo(Duration.ofHours(3)).build();
        assertEquals(DeployWindowPolicy.OnRefusal.WAIT, w.onRefusal());
        assertEquals(Duration.ofHours(3), w.waitUpTo());
    }

    @Test
    void badInputIsRejectedNamingTheFieldAndValue() {
        DeployWindowPolicy.Builder b = DeployWindowPolicy.builder();
        Set<DayOfWeek> fri = EnumSet.of(FRIDAY);
        LocalTime t = LocalTime.NOON;
        List<Object[]> cases = List.of(
                new Object[] {(Executable) () -> b.zone(null), "deployWindow.zone"},
                new Object[] {(Executable) () -> b.allow(null, fri, t, t.plusHours(1)), "deployWindow.allow.name 'null'"},
                new Object[] {(Executable) () -> b.allow("x;y", fri, t, t.plusHours(1)), "deployWindow.allow.name 'x;y'"},
                new Object[] {(Executable) () -> b.block("a\nb", fri, t, t.plusHours(1)), "deployWindow.block.name"},
                new Object[] {(Executable) () -> b.block("{x}", fri, t, t.plusHours(1)), "deployWindow.block.name '{x}'"},
                new Object[] {(Executable) () -> b.allow("w", Set.of(), t, t.plusHours(1)), "days must be a non-empty set"},
                new Object[] {(Executable) () -> b.allow("w", null, t, t.plusHours(1)), "days must be a non-empty set"},
                new Object[] {(Executable) () -> b.allow("w", fri, null, t), "times must not be null"},
                new Object[] {(Executable) () -> b.allow("w", fri, t, t), "is empty: from 12:00 equals to 12:00"},
                new Object[] {(Executable) () -> b.freeze("f", LocalDate.of(2024, 2, 1), LocalDate.of(2024, 1, 1)),
                        "ends (2024-01-01) before it starts (2024-02-01)"},
                new Object[] {(Executable) () -> b.freeze("f", null, LocalDate.of(2024, 1, 1)), "dates must not be null"},
                new Object[] {(Executable) () -> b.freeze("$f", LocalDate.MIN, LocalDate.MAX), "deployWindow.freeze.name '$f'"},
                new Object[] {(Executable) () -> b.waitUpTo(Duration.ofSeconds(-1)), "deployWindow.waitUpTo must not be negative, was PT-1S"},
                new Object[] {(Executable) () -> b.waitUpTo(null), "deployWindow.waitUpTo"},
                new Object[] {(Executable) () -> DeployWindowPolicy.ALWAYS.evaluate((Instant) null), "must not be null"});
        for (Object[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, (Executable) c[0]);
            assertTrue(e.getMessage().contains((String) c[1]), e.getMessage() + " should contain " + c[1]);
            badInputs++;
        }
        // a failed setter leaves the builder usable
        assertTrue(b.build().evaluate(Instant.EPOCH).allowed());
    }
}
