package dev.zdd.core.policy;

import dev.zdd.api.Arguments;
import dev.zdd.api.Clock;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * When deployments may start: allowed windows ("only in low-traffic hours"), blocked windows ("not on Friday
 * evening") and freezes ("not during the sale", a date range), all in one time zone, evaluated with the engine's
 * {@link Clock}.
 *
 * <p>A time is allowed when it is in no freeze, in no blocked window, and (if any allowed windows are declared) in at
 * least one allowed window. Windows are wall-clock times on days of the week; a window whose end is earlier than its
 * start runs past midnight into the next day (22:00-06:00); an end of 00:00 means midnight at the end of the day.
 * Freezes are inclusive date ranges. {@link #evaluate(Instant)} names the rule that refuses and the next allowed time;
 * {@link #onRefusal()} says whether the engine refuses the deployment or waits for that time (at most
 * {@link Builder#waitUpTo(Duration)}). The policy is only consulted when a deployment starts: a deployment running when a
 * window closes is not interrupted.
 *
 * <p>Immutable; thread-safe. Build with {@link #builder()}.
 */
public final class DeployWindowPolicy {
    /** Default zone: UTC. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("UTC");
    /** Default longest wait for a window when waiting: zero, i.e. refuse. */
    public static final Duration DEFAULT_WAIT_UP_TO = Duration.ZERO;
    /** How far ahead the next allowed time is searched: 2 years. */
    public static final int SEARCH_DAYS = 731;

    /** A policy that allows every time. */
    public static final DeployWindowPolicy ALWAYS = builder().build();

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}");

    /** What the engine does outside the windows. */
    public enum OnRefusal {
        /** Refuse the deployment at once ({@link DeployWindowException}). */
        REFUSE,
        /** Wait (through the scheduler) for the next allowed time, if it comes within {@link #waitUpTo()}. */
        WAIT
    }

    private final ZoneId zone;
    private final List<Window> allowed;
    private final List<Window> blocked;
    private final List<Freeze> freezes;
    private final Duration waitUpTo;

    private DeployWindowPolicy(Builder b) {
        this.zone = b.zone;
        this.allowed = List.copyOf(b.allowed);
        this.blocked = List.copyOf(b.blocked);
        this.freezes = List.copyOf(b.freezes);
        this.waitUpTo = b.waitUpTo;
    }

    /** A builder: no windows, no freezes, zone {@link #DEFAULT_ZONE}, refuse. */
    public static Builder builder() {
        return new Builder();
    }

    /** The zone the rules are written in. */
    public ZoneId zone() {
        return zone;
    }

    /** REFUSE when {@link #waitUpTo()} is zero, else WAIT. */
    public OnRefusal onRefusal() {
        return waitUpTo.isZero() ? OnRefusal.REFUSE : OnRefusal.WAIT;
    }

    /** Longest wait for an allowed time; zero means refuse at once. */
    public Duration waitUpTo() {
        return waitUpTo;
    }

    /** Evaluates at {@code clock.now()}. */
    public Decision evaluate(Clock clock) {
        return evaluate(clock.now());
    }

    /** Whether a deployment may start at {@code now}, and if not, which rule refuses and when it may. */
    public Decision evaluate(Instant now) {
        if (now == null) {
            throw new IllegalArgumentException("deploy window time must not be null");
        }
        String rule = refusingRule(now.atZone(zone));
        if (rule == null) {
            return new Decision(true, now, "", Optional.empty(), zone);
        }
        return new Decision(false, now, rule, nextAllowed(now), zone);
    }

    /**
     * Throws {@link DeployWindowException} when {@code now} is not allowed.
     *
     * @param what named in the message, e.g. "deployment d1 of web 2.0"
     */
    public void check(Instant now, String what) {
        Decision d = evaluate(now);
        if (!d.allowed()) {
            throw new DeployWindowException(what, d);
        }
    }

    private String refusingRule(ZonedDateTime t) {
        LocalDate date = t.toLocalDate();
        for (Freeze f : freezes) {
            if (!date.isBefore(f.from) && !date.isAfter(f.to)) {
                return f.describe();
            }
        }
        for (Window w : blocked) {
            if (w.contains(t)) {
                return "blocked window " + w.describe();
            }
        }
        if (!allowed.isEmpty()) {
            for (Window w : allowed) {
                if (w.contains(t)) {
                    return null;
                }
            }
            StringBuilder sb = new StringBuilder("outside the allowed windows");
            for (Window w : allowed) {
                sb.append(sb.charAt(sb.length() - 1) == 's' ? " " : ", ").append(w.describe());
            }
            return sb.toString();
        }
        return null;
    }

    /** The first instant after {@code now} at which a deployment is allowed, within {@link #SEARCH_DAYS}. */
    private Optional<Instant> nextAllowed(Instant now) {
        LocalDate start = now.atZone(zone).toLocalDate();
        for (int d = 0; d <= SEARCH_DAYS; d++) {
            LocalDate day = start.plusDays(d);
            TreeSet<Instant> candidates = new TreeSet<>();
            candidates.add(day.atStartOfDay(zone).toInstant());
            for (Window w : allowed) {
                candidates.add(ZonedDateTime.of(day, w.from, zone).toInstant());
            }
            for (Window w : blocked) {
                candidates.add(ZonedDateTime.of(day, w.to, zone).toInstant());
            }
            for (Instant c : candidates) {
                if (c.isAfter(now) && refusingRule(c.atZone(zone)) == null) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DeployWindowPolicy[").append(zone);
        allowed.forEach(w -> sb.append("; allow ").append(w.describe()));
        blocked.forEach(w -> sb.append("; block ").append(w.describe()));
        freezes.forEach(f -> sb.append("; ").append(f.describe()));
        return sb.append(waitUpTo.isZero() ? "; refuse" : "; wait up to " + waitUpTo).append(']').toString();
    }

    /**
     * The answer of {@link #evaluate(Instant)}. Immutable; thread-safe.
     *
     * @param allowed     whether a deployment may start
     * @param at          the time evaluated
     * @param rule        the rule that refuses (empty when allowed)
     * @param nextAllowed the next allowed time when refused (empty when allowed, or none within {@link #SEARCH_DAYS})
     * @param zone        the policy's zone, for messages
     */
    public record Decision(boolean allowed, Instant at, String rule, Optional<Instant> nextAllowed, ZoneId zone) {
        /** One line: "refused by blocked window 'friday-evening' (...); next allowed 2025-06-02T08:00+02:00[Europe/Paris]". */
        public String describe() {
            if (allowed) {
                return "allowed at " + at.atZone(zone);
            }
            return "refused at " + at.atZone(zone) + " by " + rule + "; next allowed "
                    + nextAllowed.map(i -> i.atZone(zone).toString()).orElse("time: none within " + SEARCH_DAYS + " days");
        }
    }

    private static final class Window {
        final String name;
        final Set<DayOfWeek> days;
        final LocalTime from;
        final LocalTime to;

        Window(String name, Set<DayOfWeek> days, LocalTime from, LocalTime to) {
            this.name = name;
            this.days = days;
            this.from = from;
            this.to = to;
        }

        boolean endsNextDay() {
            return !to.isAfter(from);
        }

        boolean contains(ZonedDateTime t) {
            LocalTime time = t.toLocalTime();
            DayOfWeek day = t.getDayOfWeek();
            if (!endsNextDay()) {
                return days.contains(day) && !time.isBefore(from) && time.isBefore(to);
            }
            // runs from 'from' on a listed day to 'to' on the next day (to == 00:00: midnight)
            return (days.contains(day) && !time.isBefore(from)) || (days.contains(day.minus(1)) && time.isBefore(to));
        }

        String describe() {
            StringBuilder sb = new StringBuilder("'").append(name).append("' (");
            if (days.size() == 7) {
                sb.append("every day");
            } else {
                List<String> names = new ArrayList<>();
                days.forEach(d -> names.add(d.getDisplayName(TextStyle.SHORT, Locale.ROOT)));
                sb.append(String.join(",", names));
            }
            return sb.append(' ').append(from).append('-').append(to.equals(LocalTime.MIDNIGHT) ? "24:00" : to.toString())
                    .append(')').toString();
        }
    }

    private static final class Freeze {
        final String name;
        final LocalDate from;
        final LocalDate to;

        Freeze(String name, LocalDate from, LocalDate to) {
            this.name = name;
            this.from = from;
            this.to = to;
        }

        String describe() {
            return "freeze '" + name + "' (" + from + " to " + to + ")";
        }
    }

    /** Builds a {@link DeployWindowPolicy}; every setter validates and names the bad value. Not thread-safe. */
    public static final class Builder {
        private ZoneId zone = DEFAULT_ZONE;
        private final List<Window> allowed = new ArrayList<>();
        private final List<Window> blocked = new ArrayList<>();
        private final List<Freeze> freezes = new ArrayList<>();
        private Duration waitUpTo = DEFAULT_WAIT_UP_TO;

        private Builder() {
        }

        /** The zone the rules are written in. Default {@link #DEFAULT_ZONE}. */
        public Builder zone(ZoneId v) {
            zone = Arguments.notNull("deployWindow.zone", v);
            return this;
        }

        /**
         * Allows deployments only in this window (and the other allowed ones), for example
         * {@code allow("low-traffic", EnumSet.allOf(DayOfWeek.class), LocalTime.of(22, 0), LocalTime.of(6, 0))}.
         */
        public Builder allow(String name, Set<DayOfWeek> days, LocalTime from, LocalTime to) {
            allowed.add(window("allow", name, days, from, to));
            return this;
        }

        /**
         * Blocks deployments in this window, for example
         * {@code block("friday-evening", EnumSet.of(FRIDAY), LocalTime.of(16, 0), LocalTime.MIDNIGHT)}.
         */
        public Builder block(String name, Set<DayOfWeek> days, LocalTime from, LocalTime to) {
            blocked.add(window("block", name, days, from, to));
            return this;
        }

        /** Blocks deployments from {@code from} to {@code to} inclusive (a named event: a sale, an audit). */
        public Builder freeze(String name, LocalDate from, LocalDate to) {
            checkName("deployWindow.freeze.name", name);
            if (from == null || to == null) {
                throw new IllegalArgumentException("deployWindow.freeze '" + name + "' dates must not be null");
            }
            if (to.isBefore(from)) {
                throw new IllegalArgumentException("deployWindow.freeze '" + name + "' ends (" + to + ") before it starts ("
                        + from + ")");
            }
            freezes.add(new Freeze(name, from, to));
            return this;
        }

        /** Wait up to this long for an allowed time instead of refusing. Default zero: refuse. */
        public Builder waitUpTo(Duration v) {
            if (v == null || v.isNegative()) {
                throw new IllegalArgumentException("deployWindow.waitUpTo must not be negative, was " + v);
            }
            waitUpTo = v;
            return this;
        }

        /** Builds. */
        public DeployWindowPolicy build() {
            return new DeployWindowPolicy(this);
        }

        private static Window window(String kind, String name, Set<DayOfWeek> days, LocalTime from, LocalTime to) {
            checkName("deployWindow." + kind + ".name", name);
            if (days == null || days.isEmpty() || days.contains(null)) {
                throw new IllegalArgumentException("deployWindow." + kind + " '" + name + "' days must be a non-empty set, was "
                        + days);
            }
            if (from == null || to == null) {
                throw new IllegalArgumentException("deployWindow." + kind + " '" + name + "' times must not be null");
            }
            if (from.equals(to) && !from.equals(LocalTime.MIDNIGHT)) {
                throw new IllegalArgumentException("deployWindow." + kind + " '" + name + "' is empty: from " + from
                        + " equals to " + to + " (use 00:00-00:00 for whole days)");
            }
            return new Window(name, EnumSet.copyOf(days), from, to);
        }

        private static void checkName(String field, String name) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(field + " '" + name + "' is invalid: expected letters, digits, spaces,"
                        + " '.', '_' or '-', starting with a letter or digit, at most 63");
            }
        }
    }
}
