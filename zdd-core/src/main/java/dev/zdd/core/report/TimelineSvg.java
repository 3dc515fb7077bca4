package dev.zdd.core.report;

import dev.zdd.api.DeploymentEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Renders a {@link DeploymentTimeline} as a self-contained SVG (no scripts, no external resources). Stateless. */
final class TimelineSvg {
    private static final int WIDTH = 1100;
    private static final int LEFT = 110;
    private static final int RIGHT = 1060;
    private static final int CHART_TOP = 104;
    private static final int CHART_BOTTOM = 344;
    private static final int HEALTH_Y = 384;
    private static final int CHECK_Y = 424;
    private static final int EVENT_Y = 464;
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f"};
    private static final String PASS = "#2e7d32";
    private static final String FAIL = "#c62828";
    private static final String INCONCLUSIVE = "#f9a825";

    private TimelineSvg() {
    }

    static String render(DeploymentTimeline t) {
        Instant start = t.startedAt();
        // the axis runs a little past the last event so that the final routing (often set in the last instant) shows
        long spanMillis = Duration.between(start, t.finishedAt()).toMillis();
        long totalMillis = Math.max(1000, spanMillis + Math.max(spanMillis / 16, 1));
        List<String> notes = footer(t);
        int height = EVENT_Y + 84 + notes.size() * 18;
        StringBuilder s = new StringBuilder(16_384);
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"12\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        String statusColour = switch (t.status()) {
            case "SUCCEEDED" -> PASS;
            case "ROLLED_BACK", "FAILED" -> FAIL;
            default -> "#555555";
        };
        s.append(text(20, 30, "Deployment " + t.deploymentId(), "font-size=\"18\" font-weight=\"bold\""));
        s.append(text(20, 52, "started " + start + ", lasted " + human(spanMillis), "fill=\"#555555\""));
        s.append("<text x=\"").append(RIGHT).append("\" y=\"30\" text-anchor=\"end\" font-size=\"18\" font-weight=\"bold\" fill=\"")
                .append(statusColour).append("\">").append(esc(t.status())).append("</text>\n");

        // versions, in order of first appearance
        Set<String> versions = new LinkedHashSet<>();
        t.traffic().forEach(p -> versions.addAll(p.shares().keySet()));
        List<String> vlist = new ArrayList<>(versions);

        // axes and grid
        s.append(text(20, CHART_TOP - 24, "traffic share", "font-weight=\"bold\""));
        for (int pct = 0; pct <= 100; pct += 25) {
            double y = CHART_BOTTOM - (CHART_BOTTOM - CHART_TOP) * pct / 100.0;
            s.append(line(LEFT, y, RIGHT, y, "#e0e0e0", 1, null));
            s.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(fmt(y + 4)).append("\" text-anchor=\"end\" fill=\"#555555\">")
                    .append(pct).append("%</text>\n");
        }
        // stacked step areas
        List<DeploymentTimeline.TrafficPoint> points = t.traffic();
        for (int i = 0; i < points.size(); i++) {
            DeploymentTimeline.TrafficPoint p = points.get(i);
            Instant end = i + 1 < points.size() ? points.get(i + 1).time() : start.plusMillis(totalMillis);
            double x0 = x(start, p.time(), totalMillis);
            double x1 = Math.max(x0 + 1, x(start, end, totalMillis));
            double base = 0;
            for (int v = 0; v < vlist.size(); v++) {
                Double share = p.shares().get(vlist.get(v));
                if (share == null || share <= 0) {
                    continue;
                }
                double yTop = CHART_BOTTOM - (CHART_BOTTOM - CHART_TOP) * (base + share);
                double h = (CHART_BOTTOM - CHART_TOP) * share;
                s.append("<rect x=\"").append(fmt(x0)).append("\" y=\"").append(fmt(yTop)).append("\" width=\"").append(fmt(x1 - x0))
                        .append("\" height=\"").append(fmt(h)).append("\" fill=\"").append(PALETTE[v % PALETTE.length])
                        .append("\" fill-opacity=\"0.85\"><title>").append(esc(vlist.get(v) + ": " + pct(share) + " from "
                                + human(Duration.between(start, p.time()).toMillis()) + " (" + p.label() + ")"))
                        .append("</title></rect>\n");
                base += share;
            }
            s.append(line(x0, CHART_TOP, x0, CHART_BOTTOM, "#ffffff", 1, null));
        }
        // share labels of the new (first listed after the first) version at each change
        for (int i = 0; i < points.size(); i++) {
            DeploymentTimeline.TrafficPoint p = points.get(i);
            double x0 = x(start, p.time(), totalMillis);
            StringBuilder label = new StringBuilder();
            for (String v : vlist) {
                Double share = p.shares().get(v);
                if (share != null && share > 0) {
                    label.append(label.length() == 0 ? "" : " / ").append(v).append(' ').append(pct(share));
                }
            }
            if (label.length() > 0 && (i == 0 || !p.shares().equals(points.get(i - 1).shares()))) {
                boolean nearEnd = x0 > RIGHT - 6.5 * label.length();
                s.append("<text x=\"").append(fmt(nearEnd ? RIGHT : x0 + 3)).append("\" y=\"").append(CHART_TOP - 6 - (i % 2) * 12)
                        .append(nearEnd ? "\" text-anchor=\"end" : "")
                        .append("\" font-size=\"10\" fill=\"#333333\">").append(esc(label.toString())).append("</text>\n");
            }
        }
        s.append(line(LEFT, CHART_BOTTOM, RIGHT, CHART_BOTTOM, "#333333", 1, null));
        // time axis
        long step = tickStep(totalMillis);
        for (long ms = 0; ms <= totalMillis; ms += step) {
            double x = LEFT + (RIGHT - LEFT) * (double) ms / totalMillis;
            s.append(line(x, CHART_BOTTOM, x, CHART_BOTTOM + 5, "#333333", 1, null));
            s.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(CHART_BOTTOM + 18).append("\" text-anchor=\"middle\" fill=\"#555555\">")
                    .append(esc(human(ms))).append("</text>\n");
        }
        // lanes
        s.append(text(20, HEALTH_Y + 4, "health", "font-weight=\"bold\""));
        s.append(text(20, CHECK_Y + 4, "analysis", "font-weight=\"bold\""));
        s.append(text(20, EVENT_Y + 4, "events", "font-weight=\"bold\""));
        for (int y : new int[] {HEALTH_Y, CHECK_Y, EVENT_Y}) {
            s.append(line(LEFT, y, RIGHT, y, "#eeeeee", 1, null));
        }
        for (DeploymentTimeline.ProbeMark p : t.probes()) {
            double x = x(start, p.time(), totalMillis);
            s.append("<circle cx=\"").append(fmt(x)).append("\" cy=\"").append(HEALTH_Y).append("\" r=\"4\" fill=\"")
                    .append(p.healthy() ? PASS : FAIL).append("\"><title>").append(esc(p.message())).append("</title></circle>\n");
        }
        for (DeploymentTimeline.CheckMark c : t.checks()) {
            double x = x(start, c.time(), totalMillis);
            String colour = switch (c.verdict()) {
                case "PASS" -> PASS;
                case "FAIL" -> FAIL;
                default -> INCONCLUSIVE;
            };
            s.append("<g><title>").append(esc(c.name() + " " + c.verdict() + ": " + c.detail() + " " + values(c.measurements())))
                    .append("</title>");
            s.append("<rect x=\"").append(fmt(x - 6)).append("\" y=\"").append(CHECK_Y - 6).append("\" width=\"12\" height=\"12\" fill=\"")
                    .append(colour).append("\" transform=\"rotate(45 ").append(fmt(x)).append(' ').append(CHECK_Y).append(")\"/>");
            s.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(CHECK_Y + 4)
                    .append("\" text-anchor=\"middle\" font-size=\"9\" font-weight=\"bold\" fill=\"#ffffff\">")
                    .append(c.verdict().charAt(0)).append("</text></g>\n");
        }
        double lastLabelX = -1000;
        int row = 0;
        for (DeploymentTimeline.Milestone m : t.milestones()) {
            String colour;
            String label;
            switch (m.kind()) {
                case ROLLBACK_STARTED -> {
                    colour = FAIL;
                    label = "rollback";
                }
                case FINISHED -> {
                    colour = statusColour;
                    label = t.status().toLowerCase(Locale.ROOT);
                }
                case PROMOTED -> {
                    colour = PASS;
                    label = "promoted";
                }
                case PAUSED -> {
                    colour = "#555555";
                    label = "paused";
                }
                case STEP_ENDED -> {
                    if (!m.failed()) {
                        continue;
                    }
                    colour = FAIL;
                    label = "step failed";
                }
                default -> {
                    continue;
                }
            }
            double x = x(start, m.time(), totalMillis);
            s.append(line(x, CHART_TOP, x, EVENT_Y, colour, 1.5, "5,4"));
            s.append("<g><title>").append(esc(m.kind() + " " + m.step() + " " + m.message())).append("</title>");
            s.append("<polygon points=\"").append(fmt(x)).append(',').append(EVENT_Y - 7).append(' ').append(fmt(x - 7)).append(',')
                    .append(EVENT_Y + 6).append(' ').append(fmt(x + 7)).append(',').append(EVENT_Y + 6).append("\" fill=\"").append(colour)
                    .append("\"/>");
            boolean rightEdge = x > RIGHT - 120;
            row = Math.abs(x - lastLabelX) < 90 ? (row + 1) % 3 : 0;
            lastLabelX = x;
            s.append("<text x=\"").append(fmt(rightEdge ? x - 10 : x + 10)).append("\" y=\"").append(EVENT_Y + 5 + row * 14)
                    .append("\"").append(rightEdge ? " text-anchor=\"end\"" : "").append(" fill=\"").append(colour).append("\">")
                    .append(esc(label)).append("</text></g>\n");
        }
        // legend
        double lx = RIGHT - 10;
        for (int v = vlist.size() - 1; v >= 0; v--) {
            String name = vlist.get(v);
            double w = 22 + name.length() * 7.5;
            lx -= w;
            s.append("<rect x=\"").append(fmt(lx)).append("\" y=\"44\" width=\"12\" height=\"12\" fill=\"").append(PALETTE[v % PALETTE.length])
                    .append("\"/>").append(text(lx + 16, 54, name, "")).append('\n');
        }
        String[][] keys = {{PASS, "pass / healthy"}, {INCONCLUSIVE, "inconclusive"}, {FAIL, "fail / unhealthy"}};
        double kx = LEFT;
        for (String[] k : keys) {
            s.append("<rect x=\"").append(fmt(kx)).append("\" y=\"").append(EVENT_Y + 50).append("\" width=\"10\" height=\"10\" fill=\"")
                    .append(k[0]).append("\"/>").append(text(kx + 14, EVENT_Y + 59, k[1], "fill=\"#555555\"")).append('\n');
            kx += 140;
        }
        int y = EVENT_Y + 86;
        for (String note : notes) {
            s.append(text(20, y, note, "fill=\"#333333\""));
            y += 18;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static List<String> footer(DeploymentTimeline t) {
        List<String> out = new ArrayList<>();
        long pass = t.checks().stream().filter(c -> c.verdict().equals("PASS")).count();
        long fail = t.checks().stream().filter(c -> c.verdict().equals("FAIL")).count();
        long inc = t.checks().size() - pass - fail;
        out.add("checks: " + t.checks().size() + " (" + pass + " pass, " + fail + " fail, " + inc + " inconclusive); probes: "
                + t.probes().size() + " (" + t.probes().stream().filter(p -> !p.healthy()).count() + " unhealthy)");
        DeploymentTimeline.CheckMark notable = null;
        for (DeploymentTimeline.CheckMark c : t.checks()) {
            if (!c.verdict().equals("PASS")) {
                notable = c;
            }
        }
        if (notable != null) {
            out.addAll(wrap("last " + notable.verdict() + ": " + notable.detail(), 150, 3));
        } else if (!t.checks().isEmpty()) {
            out.addAll(wrap("last check: " + t.checks().get(t.checks().size() - 1).detail(), 150, 3));
        }
        for (DeploymentTimeline.Milestone m : t.milestones()) {
            if (m.kind() == DeploymentEvent.Kind.ROLLBACK_STARTED) {
                out.addAll(wrap("rollback: " + m.message(), 150, 2));
            }
        }
        return out;
    }

    private static String values(Map<String, Double> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "[" : ", ").append(k).append('=').append(v.isNaN() ? "n/a" : fmt4(v)));
        return sb.length() == 0 ? "" : sb.append(']').toString();
    }

    private static double x(Instant start, Instant t, long totalMillis) {
        double ms = Math.max(0, Duration.between(start, t).toMillis());
        return LEFT + (RIGHT - LEFT) * Math.min(1.0, ms / totalMillis);
    }

    private static long tickStep(long totalMillis) {
        long[] steps = {100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
            1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000};
        for (long s : steps) {
            if (totalMillis / s <= 10) {
                return s;
            }
        }
        return totalMillis / 10;
    }

    static String human(long ms) {
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return ms % 1000 == 0 ? s + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        return (h > 0 ? h + "h" : "") + (m > 0 ? m + "m" : "") + (sec > 0 ? sec + "s" : "");
    }

    private static String pct(double share) {
        double p = share * 100;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt4(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e12 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.4g", v);
    }

    /** {@code text} on lines of at most {@code width} characters (broken at spaces), at most {@code maxLines}. */
    static List<String> wrap(String text, int width, int maxLines) {
        List<String> lines = new ArrayList<>();
        String rest = text.replace('\n', ' ').strip();
        while (!rest.isEmpty() && lines.size() < maxLines) {
            if (rest.length() <= width) {
                lines.add(rest);
                rest = "";
                break;
            }
            int cut = rest.lastIndexOf(' ', width);
            if (cut < width / 2) {
                cut = width;
            }
            lines.add(rest.substring(0, cut));
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty()) {
            String last = lines.get(lines.size() - 1);
            lines.set(lines.size() - 1, shorten(last + " " + rest, width));
        }
        for (int i = 1; i < lines.size(); i++) {
            lines.set(i, "    " + lines.get(i));
        }
        return lines;
    }

    private static String shorten(String s, int max) {
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max - 3) + "...";
    }

    private static String line(double x1, double y1, double x2, double y2, String colour, double width, String dash) {
        return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" + fmt(y2) + "\" stroke=\"" + colour
                + "\" stroke-width=\"" + width + "\"" + (dash == null ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
    }

    private static String text(double x, double y, String content, String attrs) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\"" + (attrs.isEmpty() ? "" : " " + attrs) + ">" + esc(content) + "</text>\n";
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\t') {
                        sb.append(c);
                    } else if (c == '\n') {
                        sb.append(' ');
                    }
                }
            }
        }
        return sb.toString();
    }
}
