package dev.zdd.core.analysis.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {

    @Test
    void parsesCommentsHelpTypeLabelsAndSpecialValues() {
        String text = "# A plain comment\n"
                + "# HELP http_requests_total The total number of HTTP requests.\\nSecond line with a \\\\ backslash\n"
                + "# TYPE http_requests_total counter\n"
                + "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
                + "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
                + "\n"
                + "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\r\n"
                + "metric_without_timestamp_and_labels 12.47\n"
                + "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
                + "neg_inf -Inf\n"
                + "not_a_number NaN\n"
                + "trailing_comma{a=\"1\",} 2\n"
                + "empty_labels{} 3\n"
                + "spaced { a = \"x\" , b=\"y\" } 4\n"
                + "recording:rule_name 5\n"
                + "label_with_brace{v=\"a}b,c=\\\"d\"} 6\n"
                + "# EOF\n";
        PrometheusText.Scrape s = PrometheusText.parse(text);
        assertEquals("counter", s.types().get("http_requests_total"));
        assertEquals("The total number of HTTP requests.\nSecond line with a \\ backslash", s.help().get("http_requests_total"));
        List<PrometheusText.Series> series = s.series();
        assertEquals(12, series.size());
        PrometheusText.Series first = series.get(0);
        assertEquals("http_requests_total", first.name());
        assertEquals(Map.of("method", "post", "code", "200"), first.labels());
        assertEquals(1027, first.value());
        assertEquals(1395066363000L, first.timestampMillis());
        assertEquals(3, series.get(1).value());
        PrometheusText.Series dos = series.get(2);
        assertEquals("C:\\DIR\\FILE.TXT", dos.label("path"));
        assertEquals("Cannot find file:\n\"FILE.TXT\"", dos.label("error"));
        assertEquals(1.458255915e9, dos.value());
        assertNull(series.get(3).timestampMillis());
        assertEquals(Double.POSITIVE_INFINITY, series.get(4).value());
        assertEquals(-3982045L, series.get(4).timestampMillis());
        assertEquals(Double.NEGATIVE_INFINITY, series.get(5).value());
        assertTrue(Double.isNaN(series.get(6).value()));
        assertEquals(Map.of("a", "1"), series.get(7).labels());
        assertEquals(Map.of(), series.get(8).labels());
        assertEquals(Map.of("a", "x", "b", "y"), series.get(9).labels());
        assertEquals("recording:rule_name", series.get(10).name());
        assertEquals("a}b,c=\"d", series.get(11).label("v"));
    }

    @Test
    void histogramSeriesAndQuantiles() {
        String text = "# HELP lat Request latency.\n# TYPE lat histogram\n"
                + "lat_bucket{le=\"0.05\"} 24054\n"
                + "lat_bucket{le=\"0.1\"} 33444\n"
                + "lat_bucket{le=\"0.2\"} 100392\n"
                + "lat_bucket{le=\"0.5\"} 129389\n"
                + "lat_bucket{le=\"1\"} 133988\n"
                + "lat_bucket{le=\"+Inf\"} 144320\n"
                + "lat_sum 53423\n"
                + "lat_count 144320\n";
        PrometheusText.Scrape s = PrometheusText.parse(text);
        assertEquals("histogram", s.types().get("lat"));
        List<PrometheusText.Bucket> buckets = new java.util.ArrayList<>();
        for (PrometheusText.Series x : s.select(PrometheusSelector.parse("lat_bucket"))) {
            buckets.add(new PrometheusText.Bucket(PrometheusText.parseValue(x.label("le")), x.value()));
        }
        assertEquals(6, buckets.size());
        // median: rank 72160 falls in (0.1, 0.2]: 0.1 + 0.1 * (72160 - 33444) / (100392 - 33444)
        assertEquals(0.1 + 0.1 * (72160 - 33444) / (100392.0 - 33444), PrometheusText.histogramQuantile(0.5, buckets), 1e-12);
        // rank in the +Inf bucket: the last finite bound
        assertEquals(1.0, PrometheusText.histogramQuantile(0.99, buckets), 0);
        // first bucket interpolates from 0
        assertEquals(0.05 * (0.1 * 144320) / 24054, PrometheusText.histogramQuantile(0.1, buckets), 1e-12);
        // no +Inf bucket or no observations: NaN
        assertTrue(Double.isNaN(PrometheusText.histogramQuantile(0.5, buckets.subList(0, 5))));
        assertTrue(Double.isNaN(PrometheusText.histogramQuantile(0.5,
                List.of(new PrometheusText.Bucket(1, 0), new PrometheusText.Bucket(Double.POSITIVE_INFINITY, 0)))));
        // buckets out of order and a non-monotonic count are tolerated
        assertEquals(1.5, PrometheusText.histogramQuantile(0.5, List.of(new PrometheusText.Bucket(Double.POSITIVE_INFINITY, 10),
                new PrometheusText.Bucket(2, 10), new PrometheusText.Bucket(1, 0), new PrometheusText.Bucket(3, 9))), 1e-12);
    }

    @Test
    void selectorsMatchLikePromQl() {
        PrometheusText.Scrape s = PrometheusText.parse("x{status=\"200\",uri=\"/a\"} 1\nx{status=\"503\",uri=\"/a\"} 2\n"
                + "x{status=\"500\",uri=\"/actuator/prometheus\"} 4\ny{status=\"500\"} 8\nx 16\n");
        assertEquals(23, sum(s, "x"));
        assertEquals(6, sum(s, "x{status=~\"5..\"}"));
        assertEquals(2, sum(s, "x{status=~\"5..\", uri!~\"/actuator.*\"}"));
        assertEquals(22, sum(s, "x{status!=\"200\"}"));
        assertEquals(16, sum(s, "x{status=\"\"}"));
        assertEquals(17, sum(s, "x{status!~\"5..\"}"));
        assertEquals(0, sum(s, "x{status=~\"5\"}")); // anchored
        assertEquals(8, sum(s, "y"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrometheusSelector.parse("x{a=~\"(\"}"));
        assertTrue(e.getMessage().contains("bad regex"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrometheusSelector.parse("x{a<\"1\"}"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusSelector.parse("9x"));
    }

    private static double sum(PrometheusText.Scrape s, String selector) {
        return s.select(PrometheusSelector.parse(selector)).stream().mapToDouble(PrometheusText.Series::value).sum();
    }

    @Test
    void badLinesNameTheLineAndTheProblem() {
        assertError("ok 1\nbroken{a=\"1\" 2\n", "line 2");
        assertError("x{a=\"unterminated} 1\n", "unterminated label value");
        assertError("x 1 2 3\n", "unexpected text");
        assertError("x abc\n", "bad value 'abc'");
        assertError("x 0x10\n", "bad value '0x10'");
        assertError("x 1 12.5\n", "bad timestamp '12.5'");
        assertError("x{a=\"1\",a=\"2\"} 1\n", "duplicate label a");
        assertError("x\n", "expected a space and a value");
        assertError("# TYPE x counter\n# TYPE x gauge\n", "second TYPE line for x");
        assertError("{a=\"1\"} 1\n", "expected a metric name");
        assertError("x{1a=\"1\"} 1\n", "expected a label name");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("x\u0001 1\n"));
        assertTrue(e.getMessage().contains("\\u0001"), e.getMessage());
    }

    @Test
    void emptyAndCommentOnlyTextHasNoSeries() {
        assertTrue(PrometheusText.parse("").series().isEmpty());
        assertTrue(PrometheusText.parse("# HELP\n# just words\n\n  \n").series().isEmpty());
        assertFalse(PrometheusText.parse("a 1").series().isEmpty());
    }

    private static void assertError(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
