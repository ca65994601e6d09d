package io.fleetshell.engine.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpositionParserTest {

    private static Exposition text(String s) {
        return ExpositionParser.parse(s, ExpositionFormat.TEXT);
    }

    private static Exposition om(String s) {
        return ExpositionParser.parse(s, ExpositionFormat.OPENMETRICS);
    }

    @Test
    void readsTheTextFormatWithEveryKindOfFamily() {
        Exposition e = text("""
                # A plain comment is ignored
                # HELP http_requests_total The total number of HTTP requests.\\nSecond line, a backslash \\\\ here.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400"}    3 1395066363000

                # Escaping in label values:
                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                # Minimalistic line:
                metric_without_timestamp_and_labels 12.47
                # A weird metric from before the epoch:
                something_weird{problem="division by zero"} +Inf -3982045
                nan_gauge NaN
                neg_inf -Inf
                trailing_comma{a="1",} 2
                # HELP http_request_duration_seconds A histogram of the request duration.
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.05"} 24054
                http_request_duration_seconds_bucket{le="0.1"} 33444
                http_request_duration_seconds_bucket{le="+Inf"} 144320
                http_request_duration_seconds_sum 53423
                http_request_duration_seconds_count 144320
                # TYPE rpc_duration_seconds summary
                rpc_duration_seconds{quantile="0.5"} 4773
                rpc_duration_seconds{quantile="0.99"} 76656
                rpc_duration_seconds_sum 1.7560473e+07
                rpc_duration_seconds_count 2693
                # TYPE temperature gauge
                temperature\t{room="a b"}\t21.5
                """);
        MetricFamily requests = e.family("http_requests_total").orElseThrow();
        assertThat(requests.type()).isEqualTo(MetricType.COUNTER);
        assertThat(requests.help()).isEqualTo("The total number of HTTP requests.\nSecond line, a backslash \\ here.");
        assertThat(requests.samples()).hasSize(2);
        assertThat(requests.samples().get(0).labels()).containsExactly(Map.entry("method", "post"), Map.entry("code", "200"));
        assertThat(requests.samples().get(0).timestampMillis()).isEqualTo(1395066363000L);
        assertThat(requests.samples().get(1).value()).isEqualTo(3);

        Sample msdos = e.samples("msdos_file_access_time_seconds").getFirst();
        assertThat(msdos.label("path")).isEqualTo("C:\\DIR\\FILE.TXT");
        assertThat(msdos.label("error")).isEqualTo("Cannot find file:\n\"FILE.TXT\"");
        assertThat(msdos.value()).isEqualTo(1.458255915e9);
        assertThat(e.family("metric_without_timestamp_and_labels").orElseThrow().type()).isEqualTo(MetricType.UNTYPED);
        Sample weird = e.samples("something_weird").getFirst();
        assertThat(weird.value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(weird.timestampMillis()).isEqualTo(-3982045L);
        assertThat(e.samples("nan_gauge").getFirst().value()).isNaN();
        assertThat(e.samples("neg_inf").getFirst().value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(e.samples("trailing_comma").getFirst().labels()).containsOnly(Map.entry("a", "1"));

        MetricFamily histogram = e.family("http_request_duration_seconds").orElseThrow();
        assertThat(histogram.type()).isEqualTo(MetricType.HISTOGRAM);
        assertThat(histogram.samples()).extracting(Sample::name).containsExactly("http_request_duration_seconds_bucket",
                "http_request_duration_seconds_bucket", "http_request_duration_seconds_bucket",
                "http_request_duration_seconds_sum", "http_request_duration_seconds_count");
        MetricFamily summary = e.family("rpc_duration_seconds").orElseThrow();
        assertThat(summary.type()).isEqualTo(MetricType.SUMMARY);
        assertThat(summary.samples()).hasSize(4);
        assertThat(e.samples("temperature").getFirst().label("room")).isEqualTo("a b");
        assertThat(e.family("http_request_duration_seconds_bucket")).isEmpty();
    }

    @Test
    void readsOpenMetricsWithUnitsCreatedExemplarsAndSecondTimestamps() {
        Exposition e = om("""
                # TYPE acme_http_router_request_seconds histogram
                # UNIT acme_http_router_request_seconds seconds
                # HELP acme_http_router_request_seconds Latency \\"quoted\\".
                acme_http_router_request_seconds_bucket{path="/api/v1",le="0.1"} 5 # {trace_id="KOO5S4vxi0o"} 0.067 1520879607.789
                acme_http_router_request_seconds_bucket{path="/api/v1",le="+Inf"} 7
                acme_http_router_request_seconds_sum{path="/api/v1"} 0.9
                acme_http_router_request_seconds_count{path="/api/v1"} 7
                acme_http_router_request_seconds_created{path="/api/v1"} 1520430000.123
                # TYPE foo counter
                foo_total 17.0 1520879607.789
                foo_created 1520430000.123
                # TYPE build info
                build_info{version="1.2"} 1
                # TYPE mystery unknown
                mystery 3
                # EOF
                """);
        MetricFamily latency = e.family("acme_http_router_request_seconds").orElseThrow();
        assertThat(latency.unit()).isEqualTo("seconds");
        assertThat(latency.help()).isEqualTo("Latency \"quoted\".");
        assertThat(latency.samples()).hasSize(5);
        Sample foo = e.samples("foo_total").getFirst();
        assertThat(foo.timestampMillis()).isEqualTo(1520879607789L);
        assertThat(e.family("foo").orElseThrow().samples()).hasSize(2);
        assertThat(e.family("build").orElseThrow().type()).isEqualTo(MetricType.INFO);
        assertThat(e.family("mystery").orElseThrow().type()).isEqualTo(MetricType.UNTYPED);
    }

    @Test
    void anEmptyTextAnswerHasNoFamilies() {
        assertThat(text("").families()).isEmpty();
        assertThat(om("# EOF\n").families()).isEmpty();
        assertThat(om("# EOF").families()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            cut-off last line             | `a 1\\nb 2`                                  | 2 | 4  | the last line does not end with a line feed: the answer was cut off
            cut inside the labels         | `a{x="1",y\\n`                               | 1 | 10 | expected '='
            unterminated label value      | `a{x="1} 2\\n`                               | 1 | 10 | the label value is not closed
            bad escape                    | `a{x="\\\\t"} 2\\n`                          | 1 | 7  | invalid escape '\\t' in a label value
            label set not closed          | `a{x="1"\\n`                                 | 1 | 8  | the label set is not closed with '}'
            value not a number            | `a{x="1"} twelve\\n`                         | 1 | 10 | 'twelve' is not a number (value)
            no value                      | `a{x="1"}\\n`                                | 1 | 9  | expected a space between the metric and its value
            bad metric name               | `9lives 1\\n`                                | 1 | 1  | expected a metric name, found '9'
            garbage html                  | `<html><body>oops</body></html>\\n`          | 1 | 1  | expected a metric name, found '<'
            duplicate label               | `a{x="1",x="2"} 1\\n`                        | 1 | 9  | label x appears twice
            float timestamp in text       | `a 1 1.5\\n`                                 | 1 | 5  | '1.5' is not a timestamp
            text after the timestamp      | `a 1 15 junk\\n`                             | 1 | 8  | unexpected text after the sample
            second TYPE                   | `# TYPE a gauge\\n# TYPE a counter\\n`       | 2 | 8  | second TYPE line for a
            TYPE after samples            | `a 1\\n# TYPE a gauge\\n`                    | 2 | 8  | TYPE line for a after its samples (first at line 1)
            unknown type                  | `# TYPE a wobbly\\n`                         | 1 | 10 | unknown metric type 'wobbly'
            bucket without le             | `# TYPE h histogram\\nh_bucket 1\\n`         | 2 | 1  | h_bucket has no 'le' label
            bucket with a bad le          | `# TYPE h histogram\\nh_bucket{le="x"} 1\\n` | 2 | 1  | h_bucket has le="x", which is not a number
            summary without quantile      | `# TYPE s summary\\ns 1\\n`                  | 2 | 1  | s has no 'quantile' label
            """)
    void textFormatErrorsNameTheLineAndColumn(String what, String input, int line, int column, String reason) {
        String decoded = input.replace("\\n", "\n").replace("\\\\", "\\");
        assertThatThrownBy(() -> text(decoded))
                .isInstanceOfSatisfying(MalformedExpositionException.class, e -> {
                    assertThat(e.reason()).as(what).contains(reason);
                    assertThat(e.line()).as(what).isEqualTo(line);
                    assertThat(e.column()).as(what).isEqualTo(column);
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            no EOF (cut off)             | `# TYPE a gauge\\na 1\\n`                 | 3 | 1  | no # EOF line: the answer was cut off
            text after EOF               | `a 1\\n# EOF\\nb 2\\n`                    | 3 | 1  | text after # EOF
            blank line                   | `a 1\\n\\n# EOF\\n`                       | 2 | 1  | blank line
            plain comment                | `# hello\\n# EOF\\n`                      | 1 | 3  | unknown descriptor 'hello'
            bare counter sample          | `# TYPE c counter\\nc 1\\n# EOF\\n`       | 2 | 1  | a counter's samples are named c_total|c_created, not c
            interleaved families         | `a 1\\nb 1\\na 2\\n# EOF\\n`              | 3 | 1  | samples of a are interleaved
            bad exemplar                 | `a 1 # oops\\n# EOF\\n`                   | 1 | 5  | expected an exemplar
            """)
    void openMetricsErrorsNameTheLineAndColumn(String what, String input, int line, int column, String reason) {
        String decoded = input.replace("\\n", "\n");
        assertThatThrownBy(() -> om(decoded))
                .isInstanceOfSatisfying(MalformedExpositionException.class, e -> {
                    assertThat(e.reason()).as(what).contains(reason);
                    assertThat(e.line()).as(what).isEqualTo(line);
                    assertThat(e.column()).as(what).isEqualTo(column);
                });
    }

    @Test
    void randomGarbageIsAnErrorNeverACrash() {
        java.util.Random random = new java.util.Random(42);
        String valid = """
                # TYPE demo_request_duration_seconds histogram
                demo_request_duration_seconds_bucket{agent="A",path="/run",le="0.005"} 3
                demo_request_duration_seconds_bucket{agent="A",path="/run",le="+Inf"} 4
                demo_request_duration_seconds_sum{agent="A",path="/run"} 0.25
                demo_request_duration_seconds_count{agent="A",path="/run"} 4
                """;
        for (int i = 0; i < 5_000; i++) {
            StringBuilder s = new StringBuilder(valid.substring(0, random.nextInt(valid.length() + 1)));
            for (int j = random.nextInt(4); j > 0; j--) {
                s.insert(random.nextInt(s.length() + 1), (char) random.nextInt(128));
            }
            for (ExpositionFormat format : ExpositionFormat.values()) {
                try {
                    ExpositionParser.parse(s.toString(), format);
                } catch (MalformedExpositionException expected) {
                    assertThat(expected.line()).isPositive();
                    assertThat(expected.column()).isPositive();
                }
            }
        }
    }

    @Test
    void contentTypeChoosesTheFormat() {
        assertThat(ExpositionFormat.ofContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"))
                .isEqualTo(ExpositionFormat.OPENMETRICS);
        assertThat(ExpositionFormat.ofContentType("text/plain; version=0.0.4; charset=utf-8")).isEqualTo(ExpositionFormat.TEXT);
        assertThat(ExpositionFormat.ofContentType(null)).isEqualTo(ExpositionFormat.TEXT);
    }
}
