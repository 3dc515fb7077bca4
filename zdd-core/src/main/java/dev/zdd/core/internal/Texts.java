package dev.zdd.core.internal;

import java.time.Duration;

/** Formatting helpers for messages and logs. Stateless; thread-safe. Internal. */
public final class Texts {
    private Texts() {
    }

    /**
     * A short human duration: {@code 0s}, {@code 250ms}, {@code 5s}, {@code 1m30s}, {@code 2h}; below a millisecond
     * {@code 1.3ms} or {@code 40us}, and sub-millisecond parts of longer durations rounded to the millisecond
     * ({@code 1s500ms}, never {@code 1s500377644ns}).
     */
    public static String duration(Duration d) {
        if (d.isNegative()) {
            return "-" + duration(d.negated());
        }
        if (d.getSeconds() == 0 && d.getNano() % 1_000_000 != 0) {
            int n = d.getNano();
            if (n < 1_000_000) {
                return n < 1_000 ? n + "ns" : (n / 1_000) + "us";
            }
            return n >= 10_000_000 ? Math.round(n / 1e6) + "ms" : String.format(java.util.Locale.ROOT, "%.1fms", n / 1e6);
        }
        if (d.getNano() % 1_000_000 != 0) {
            d = Duration.ofSeconds(d.getSeconds(), Math.min(999, Math.round(d.getNano() / 1e6)) * 1_000_000L);
        }
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (seconds == 0 && nanos == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (s > 0) {
            sb.append(s).append('s');
        }
        if (nanos > 0) {
            if (nanos % 1_000_000 == 0) {
                sb.append(nanos / 1_000_000).append("ms");
            } else {
                sb.append(nanos).append("ns");
            }
        }
        return sb.toString();
    }

    /** {@code text} cut to about {@code max} characters, saying how much was left out. */
    public static String brief(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "... (" + (text.length() - max) + " more characters)";
    }

    /** What an exception says: its message, or its class name when it has none. Never the stack or the object. */
    public static String message(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** {@code text} with control characters shown as {@code \\uXXXX}, so that it cannot forge log lines; at most 500 characters. */
    public static String printable(String text) {
        return dev.zdd.api.Arguments.printable(text, 500);
    }

    /** Most routes {@link #routing} lists before summarising the rest. */
    static final int ROUTES_SHOWN = 20;

    /**
     * A routing table as {@link dev.zdd.api.Routing#toString()} prints it, but listing at most {@value #ROUTES_SHOWN}
     * routes (then "... and N more routes"), so that events and logs stay small with thousands of targets.
     */
    public static String routing(dev.zdd.api.Routing r) {
        if (r == null) {
            return "nothing";
        }
        java.util.List<dev.zdd.api.Route> routes = r.routes();
        if (routes.size() <= ROUTES_SHOWN) {
            return r.toString();
        }
        java.util.List<dev.zdd.api.Route> head = routes.subList(0, ROUTES_SHOWN);
        String shown = new dev.zdd.api.Routing(head, r.stickiness(), r.rules()).toString();
        int cut = shown.indexOf(';');
        String tail = " ... and " + (routes.size() - ROUTES_SHOWN) + " more routes";
        return cut < 0 ? shown.substring(0, shown.length() - 1) + tail + "]"
                : shown.substring(0, cut) + tail + shown.substring(cut);
    }

    /** One line describing a step; a traffic shift with many allocations is summarised. */
    public static String step(dev.zdd.api.Step step) {
        if (step instanceof dev.zdd.api.Step.ShiftTraffic s && s.allocations().size() > ROUTES_SHOWN) {
            return "shift traffic [" + s.label() + "]: " + s.allocations().size() + " allocations"
                    + (s.stickiness() == null ? "" : ", sticky on " + s.stickiness().key())
                    + (s.rules().isEmpty() ? "" : ", " + s.rules().size() + " rules");
        }
        return brief(step.describe(), 160);
    }

    /** The plan as {@link dev.zdd.api.Plan#render()} prints it, but at most {@code maxSteps} lines, each summarised. */
    public static String plan(dev.zdd.api.Plan plan, int maxSteps) {
        java.util.List<dev.zdd.api.Step> steps = plan.steps();
        StringBuilder sb = new StringBuilder("plan (").append(plan.strategy()).append("), ").append(steps.size())
                .append(" steps\n");
        for (int i = 0; i < steps.size() && i < maxSteps; i++) {
            sb.append(i + 1).append(". ").append(step(steps.get(i))).append('\n');
        }
        if (steps.size() > maxSteps) {
            sb.append("... and ").append(steps.size() - maxSteps).append(" more steps\n");
        }
        return sb.toString();
    }
}
