package dev.zdd.core.analysis.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Picks series out of a {@link PrometheusText.Scrape} the way a PromQL instant selector does:
 * {@code name{label="v", label!="v", label=~"regex", label!~"regex"}}. Regexes are anchored (they must match the whole
 * value), as in Prometheus; a missing label reads as the empty string.
 *
 * <p>Immutable; thread-safe.
 */
public final class PrometheusSelector {
    private enum Op { EQ, NE, RE, NRE }

    private record Matcher(String label, Op op, String value, Pattern pattern) {
        boolean matches(String actual) {
            String v = actual == null ? "" : actual;
            return switch (op) {
                case EQ -> v.equals(value);
                case NE -> !v.equals(value);
                case RE -> pattern.matcher(v).matches();
                case NRE -> !pattern.matcher(v).matches();
            };
        }
    }

    private final String name;
    private final List<Matcher> matchers;
    private final String text;

    private PrometheusSelector(String name, List<Matcher> matchers, String text) {
        this.name = name;
        this.matchers = List.copyOf(matchers);
        this.text = text;
    }

    /**
     * Parses {@code name} or {@code name{...}}.
     *
     * @throws IllegalArgumentException naming the selector and what is wrong
     */
    public static PrometheusSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            throw new IllegalArgumentException("selector must not be blank, was '" + selector + "'");
        }
        try {
            PrometheusText.Cursor c = new PrometheusText.Cursor(selector.strip());
            String name = c.metricName();
            c.skipSpaces();
            List<Matcher> matchers = new ArrayList<>();
            if (!c.atEnd()) {
                c.expect('{');
                c.skipSpaces();
                while (c.peek() != '}') {
                    String label = c.labelName();
                    c.skipSpaces();
                    Op op;
                    if (c.peek() == '=') {
                        c.next();
                        op = !c.atEnd() && c.peek() == '~' ? Op.RE : Op.EQ;
                    } else if (c.peek() == '!') {
                        c.next();
                        op = !c.atEnd() && c.peek() == '~' ? Op.NRE : Op.NE;
                        if (op == Op.NE) {
                            c.expect('=');
                        }
                    } else {
                        throw new IllegalArgumentException("expected =, !=, =~ or !~ at column " + (c.pos + 1));
                    }
                    if (op == Op.RE || op == Op.NRE) {
                        c.next(); // '~'
                    }
                    c.skipSpaces();
                    String value = c.quoted();
                    Pattern p = null;
                    if (op == Op.RE || op == Op.NRE) {
                        try {
                            p = Pattern.compile(value);
                        } catch (PatternSyntaxException e) {
                            throw new IllegalArgumentException("bad regex '" + value + "' for label " + label, e);
                        }
                    }
                    matchers.add(new Matcher(label, op, value, p));
                    c.skipSpaces();
                    if (c.peek() == ',') {
                        c.next();
                        c.skipSpaces();
                    } else if (c.peek() != '}') {
                        throw new IllegalArgumentException("expected ',' or '}' at column " + (c.pos + 1));
                    }
                }
                c.next();
                c.skipSpaces();
                if (!c.atEnd()) {
                    throw new IllegalArgumentException("unexpected text at column " + (c.pos + 1));
                }
            }
            return new PrometheusSelector(name, matchers, selector.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("selector '" + PrometheusText.printable(selector) + "': " + e.getMessage(), e);
        }
    }

    /** The metric name this selector picks. */
    public String name() {
        return name;
    }

    /** {@code true} when {@code series} has this name and every label matcher holds. */
    public boolean matches(PrometheusText.Series series) {
        if (!series.name().equals(name)) {
            return false;
        }
        for (Matcher m : matchers) {
            if (!m.matches(series.label(m.label()))) {
                return false;
            }
        }
        return true;
    }

    /** A selector with the same label matchers for another metric name (for example {@code x_bucket} to {@code x_count}). */
    PrometheusSelector withName(String otherName) {
        return new PrometheusSelector(otherName, matchers, otherName + text.substring(name.length()));
    }

    @Override
    public String toString() {
        return text;
    }
}
