package dev.zdd.core.analysis.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A parser, written here, for the Prometheus text exposition format (version 0.0.4, which Spring Boot's
 * {@code /actuator/prometheus} and most exporters serve; the OpenMetrics {@code # EOF} line is accepted too).
 *
 * <p>Understands {@code # HELP} (with its {@code \\} and {@code \n} escapes) and {@code # TYPE} lines, other comments,
 * blank lines, metric names with colons, label sets with {@code \\}, {@code \"} and {@code \n} escapes and an optional
 * trailing comma, values including {@code NaN}, {@code +Inf} and {@code -Inf}, and optional millisecond timestamps.
 * Histogram and summary series ({@code _bucket{le="..."}}, {@code _sum}, {@code _count}) are plain series here;
 * {@link #histogramQuantile(double, List)} turns buckets into a quantile the way Prometheus'
 * {@code histogram_quantile} does.
 *
 * <p>Stateless; thread-safe.
 */
public final class PrometheusText {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d{1,19}");

    /**
     * One sample line.
     *
     * <p>Immutable; thread-safe.
     *
     * @param name            metric name (for histograms including the {@code _bucket}/{@code _sum}/{@code _count}
     *                        suffix)
     * @param labels          labels, sorted by name
     * @param value           value (may be NaN or infinite)
     * @param timestampMillis timestamp, or {@code null} when the line has none
     */
    public record Series(String name, Map<String, String> labels, double value, Long timestampMillis) {
        /** Copies the labels. */
        public Series {
            labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        }

        /** The value of one label, or {@code null}. */
        public String label(String labelName) {
            return labels.get(labelName);
        }
    }

    /**
     * A parsed exposition.
     *
     * <p>Immutable; thread-safe.
     *
     * @param series every sample line, in order
     * @param types  metric family name to its {@code # TYPE} (counter, gauge, histogram, summary, untyped...)
     * @param help   metric family name to its {@code # HELP} text, unescaped
     */
    public record Scrape(List<Series> series, Map<String, String> types, Map<String, String> help) {
        /** Copies. */
        public Scrape {
            series = List.copyOf(series);
            types = Collections.unmodifiableMap(new LinkedHashMap<>(types));
            help = Collections.unmodifiableMap(new LinkedHashMap<>(help));
        }

        /** The series that {@code selector} matches. */
        public List<Series> select(PrometheusSelector selector) {
            List<Series> out = new ArrayList<>();
            for (Series s : series) {
                if (selector.matches(s)) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    /**
     * A histogram bucket: how many observations were at most {@code upperBound}.
     *
     * <p>Immutable; thread-safe.
     *
     * @param upperBound the {@code le} label ({@code +Inf} for the last bucket)
     * @param count      cumulative count
     */
    public record Bucket(double upperBound, double count) {
    }

    private PrometheusText() {
    }

    /**
     * Parses an exposition.
     *
     * @throws IllegalArgumentException naming the line number and what is wrong with it
     */
    public static Scrape parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("prometheus text must not be null");
        }
        List<Series> series = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                Cursor c = new Cursor(line);
                c.skipSpaces();
                if (c.peek() == '#') {
                    comment(c, types, help);
                } else {
                    series.add(sample(c));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("prometheus text line " + (i + 1) + ": " + e.getMessage()
                        + " in '" + printable(line) + "'", e);
            }
        }
        return new Scrape(series, types, help);
    }

    private static void comment(Cursor c, Map<String, String> types, Map<String, String> help) {
        c.next(); // '#'
        c.skipSpaces();
        String keyword = c.word();
        if (!keyword.equals("HELP") && !keyword.equals("TYPE")) {
            return; // any other comment, including "# EOF"
        }
        if (!c.skipSpaces()) {
            return; // "# HELP" alone: a comment
        }
        String name = c.metricName();
        if (keyword.equals("TYPE")) {
            c.skipSpaces();
            String type = c.word().toLowerCase(Locale.ROOT);
            if (type.isEmpty()) {
                throw new IllegalArgumentException("TYPE of " + name + " has no type");
            }
            c.skipSpaces();
            if (!c.atEnd()) {
                throw new IllegalArgumentException("unexpected text after TYPE " + name + " " + type);
            }
            if (types.putIfAbsent(name, type) != null) {
                throw new IllegalArgumentException("second TYPE line for " + name);
            }
        } else {
            if (!c.atEnd() && c.peek() != ' ' && c.peek() != '\t') {
                throw new IllegalArgumentException("bad metric name after HELP");
            }
            c.skipOneSpace();
            help.put(name, unescape(c.rest(), false));
        }
    }

    private static Series sample(Cursor c) {
        String name = c.metricName();
        boolean spaced = c.skipSpaces();
        Map<String, String> labels = new TreeMap<>();
        if (!c.atEnd() && c.peek() == '{') {
            c.next();
            c.skipSpaces();
            while (c.peek() != '}') {
                String label = c.labelName();
                c.skipSpaces();
                c.expect('=');
                c.skipSpaces();
                String value = c.quoted();
                if (labels.put(label, value) != null) {
                    throw new IllegalArgumentException("duplicate label " + label);
                }
                c.skipSpaces();
                if (c.peek() == ',') {
                    c.next();
                    c.skipSpaces();
                } else if (c.peek() != '}') {
                    throw new IllegalArgumentException("expected ',' or '}' at column " + (c.pos + 1));
                }
            }
            c.next(); // '}'
            spaced = c.skipSpaces();
        }
        if (!spaced || c.atEnd()) {
            throw new IllegalArgumentException("expected a space and a value at column " + (c.pos + 1));
        }
        double value = parseValue(c.word());
        Long timestamp = null;
        if (c.skipSpaces() && !c.atEnd()) {
            String ts = c.word();
            if (!TIMESTAMP.matcher(ts).matches()) {
                throw new IllegalArgumentException("bad timestamp '" + ts + "'");
            }
            try {
                timestamp = Long.parseLong(ts);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad timestamp '" + ts + "'", e);
            }
            c.skipSpaces();
        }
        if (!c.atEnd()) {
            throw new IllegalArgumentException("unexpected text at column " + (c.pos + 1));
        }
        return new Series(name, labels, value, timestamp);
    }

    /** Parses a sample value: a decimal number, {@code NaN}, {@code +Inf}, {@code -Inf} or {@code Inf}. */
    static double parseValue(String token) {
        switch (token.toLowerCase(Locale.ROOT)) {
            case "nan":
                return Double.NaN;
            case "+inf":
            case "inf":
                return Double.POSITIVE_INFINITY;
            case "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!NUMBER.matcher(token).matches()) {
                    throw new IllegalArgumentException("bad value '" + token + "'");
                }
                return Double.parseDouble(token);
        }
    }

    /**
     * The {@code q} quantile of a histogram given its cumulative buckets, as Prometheus' {@code histogram_quantile}
     * computes it: linear interpolation inside the bucket where the rank falls, the lower bound of the first bucket
     * being 0; when the rank falls into the {@code +Inf} bucket, the upper bound of the last finite bucket. Buckets may
     * come in any order; a count that decreases with a larger bound (a scrape race) is raised to the one before.
     *
     * @return the quantile, or NaN when there are no observations or no {@code +Inf} bucket
     */
    public static double histogramQuantile(double q, List<Bucket> buckets) {
        if (Double.isNaN(q) || q < 0 || q > 1) {
            throw new IllegalArgumentException("quantile must be in [0, 1], was " + q);
        }
        List<Bucket> sorted = new ArrayList<>(buckets);
        sorted.sort((a, b) -> Double.compare(a.upperBound(), b.upperBound()));
        if (sorted.size() < 2 || sorted.get(sorted.size() - 1).upperBound() != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        double[] counts = new double[sorted.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = Math.max(sorted.get(i).count(), i > 0 ? counts[i - 1] : 0);
        }
        double total = counts[counts.length - 1];
        if (!(total > 0)) {
            return Double.NaN;
        }
        double rank = q * total;
        int b = 0;
        while (b < counts.length - 1 && counts[b] < rank) {
            b++;
        }
        if (b == counts.length - 1) {
            return sorted.get(counts.length - 2).upperBound();
        }
        double end = sorted.get(b).upperBound();
        if (b == 0 && end <= 0) {
            return end;
        }
        double start = b == 0 ? 0 : sorted.get(b - 1).upperBound();
        double before = b == 0 ? 0 : counts[b - 1];
        double inBucket = counts[b] - before;
        if (inBucket <= 0) {
            return end;
        }
        return start + (end - start) * (rank - before) / inBucket;
    }

    static String unescape(String s, boolean quoted) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                if (n == '\\' || n == 'n' || (quoted && n == '"')) {
                    sb.append(n == 'n' ? '\n' : n);
                    i++;
                    continue;
                }
            }
            sb.append(ch);
        }
        return sb.toString();
    }

    /** {@code s} with control characters escaped, for messages. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            sb.append(ch < 0x20 || ch == 0x7f ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
            if (sb.length() > 200) {
                return sb.append("...").toString();
            }
        }
        return sb.toString();
    }

    /** A position in one line. Not thread-safe. */
    static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        char peek() {
            if (atEnd()) {
                throw new IllegalArgumentException("unexpected end of line");
            }
            return s.charAt(pos);
        }

        char next() {
            char ch = peek();
            pos++;
            return ch;
        }

        void expect(char ch) {
            if (atEnd() || s.charAt(pos) != ch) {
                throw new IllegalArgumentException("expected '" + ch + "' at column " + (pos + 1));
            }
            pos++;
        }

        /** Skips spaces and tabs; {@code true} when it skipped at least one. */
        boolean skipSpaces() {
            int start = pos;
            while (!atEnd() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
            return pos > start;
        }

        void skipOneSpace() {
            if (!atEnd() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        String word() {
            int start = pos;
            while (!atEnd() && s.charAt(pos) != ' ' && s.charAt(pos) != '\t') {
                pos++;
            }
            return s.substring(start, pos);
        }

        String rest() {
            String r = s.substring(pos);
            pos = s.length();
            return r;
        }

        String metricName() {
            int start = pos;
            while (!atEnd()) {
                char ch = s.charAt(pos);
                boolean ok = ch == '_' || ch == ':' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                        || (pos > start && ch >= '0' && ch <= '9');
                if (!ok) {
                    break;
                }
                pos++;
            }
            if (pos == start) {
                throw new IllegalArgumentException("expected a metric name at column " + (start + 1));
            }
            return s.substring(start, pos);
        }

        String labelName() {
            int start = pos;
            while (!atEnd()) {
                char ch = s.charAt(pos);
                boolean ok = ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                        || (pos > start && ch >= '0' && ch <= '9');
                if (!ok) {
                    break;
                }
                pos++;
            }
            if (pos == start) {
                throw new IllegalArgumentException("expected a label name at column " + (start + 1));
            }
            return s.substring(start, pos);
        }

        String quoted() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    throw new IllegalArgumentException("unterminated label value");
                }
                char ch = s.charAt(pos++);
                if (ch == '"') {
                    return sb.toString();
                }
                if (ch == '\\') {
                    if (atEnd()) {
                        throw new IllegalArgumentException("unterminated label value");
                    }
                    char n = s.charAt(pos++);
                    switch (n) {
                        case '\\' -> sb.append('\\');
                        case '"' -> sb.append('"');
                        case 'n' -> sb.append('\n');
                        default -> sb.append('\\').append(n);
                    }
                } else {
                    sb.append(ch);
                }
            }
        }
    }
}
