package dev.zdd.core.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of an {@link AbTest}: each version's metrics over the whole test, the comparison of the deciding metric
 * (Mann-Whitney over the per-interval values) and the winner.
 *
 * <p>Immutable; thread-safe.
 *
 * @param test             the test's name
 * @param deploymentId     the deployment
 * @param metric           the deciding metric
 * @param treatment        the new version's figures
 * @param control          the old version's figures
 * @param pValue           two-sided Mann-Whitney p-value of the deciding metric (NaN when not enough data)
 * @param winner           who won
 * @param reason           why, for a person
 * @param duration         how long the test ran (virtual or real, the engine's clock)
 */
public record AbReport(String test, String deploymentId, String metric, Arm treatment, Arm control, double pValue,
                       Winner winner, String reason, Duration duration) {
    /** Measurement of the deciding check's verdict naming the winner: 1 treatment, -1 control, 0 none. */
    public static final String WINNER = "winner";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The winner named by an A/B test's deciding {@link dev.zdd.api.CheckResult} (as seen in a check-verdict event or a
     * recorded timeline); empty for its opening and collecting verdicts. The detail of that verdict holds the report's
     * text ({@link #toText()}).
     */
    public static java.util.Optional<Winner> winnerOf(dev.zdd.api.CheckResult result) {
        Double w = result == null ? null : result.measurements().get(WINNER);
        if (w == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(w > 0 ? Winner.TREATMENT : w < 0 ? Winner.CONTROL : Winner.NONE);
    }

    /** Who won. Thread-safe (an enum). */
    public enum Winner {
        /** The new version is better on the deciding metric. */
        TREATMENT,
        /** The old version is better (or, for a two-sided metric, the versions differ). */
        CONTROL,
        /** No significant difference, or not enough data. */
        NONE
    }

    /**
     * One version's figures.
     *
     * <p>Immutable; thread-safe.
     *
     * @param version  the version
     * @param requests requests it served during the test
     * @param points   per-interval values of the deciding metric collected
     * @param median   median of those values (NaN without)
     * @param metrics  other metrics over the whole test (NaN when no data)
     */
    public record Arm(String version, long requests, int points, double median, Map<String, Double> metrics) {
        /** Copies. */
        public Arm {
            metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }
    }

    /** The report as indented JSON (NaN as null). */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("test", test);
        root.put("deploymentId", deploymentId);
        root.put("metric", metric);
        root.put("winner", winner.name());
        root.put("reason", reason);
        num(root, "pValue", pValue);
        root.put("durationSeconds", duration.toMillis() / 1000.0);
        for (Arm a : new Arm[] {treatment, control}) {
            ObjectNode n = root.putObject(a == treatment ? "treatment" : "control");
            n.put("version", a.version());
            n.put("requests", a.requests());
            n.put("points", a.points());
            num(n, "median", a.median());
            ObjectNode m = n.putObject("metrics");
            a.metrics().forEach((k, v) -> num(m, k, v));
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The report as a few lines of text. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("A/B test ").append(test).append(" (").append(deploymentId).append("), deciding metric ").append(metric).append('\n');
        for (Arm a : new Arm[] {treatment, control}) {
            sb.append(String.format(Locale.ROOT, "  %-9s %-12s requests=%d median %s=%s", a == treatment ? "treatment" : "control",
                    a.version(), a.requests(), metric, f(a.median())));
            a.metrics().forEach((k, v) -> sb.append(' ').append(k).append('=').append(f(v)));
            sb.append('\n');
        }
        sb.append("  p=").append(f(pValue)).append(" winner: ").append(winner).append(" - ").append(reason).append('\n');
        return sb.toString();
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4g", v);
    }

    private static void num(ObjectNode n, String k, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            n.putNull(k);
        } else {
            n.put(k, v);
        }
    }
}
