package dev.zdd.core.probe;

import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.Target;
import dev.zdd.core.internal.io.Texts;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Probes a target over HTTP(S) with OkHttp: {@code GET scheme://host:port/path}, healthy when the status is in the
 * expected range and the optional body and response-header expectations hold.
 *
 * <p>Every unhealthy answer carries a reason a person can act on, for example
 * {@code GET http://127.0.0.1:8081/health -> 503 (expected 200-399): unhealthy} or
 * {@code GET http://127.0.0.1:8081/health: connection refused}. Request header values (tokens, passwords) are treated
 * as secrets: they never appear in reasons, logs or {@link #toString()}.
 *
 * <p>Redirects are not followed (a 3xx is judged by the status range) and failed connections are not retried, so that
 * one call is one honest attempt. Each attempt is limited by the {@code timeout} passed to {@link #check} (OkHttp's call
 * timeout: connect, write and read together).
 *
 * <p>Connections are not reused: each check opens one connection and closes it when done (and sends
 * {@code Connection: close}), so a check never fails on a stale connection to a process restarted on the same port, and
 * no idle socket to a retired target stays open. All probes share one OkHttp client; there is nothing to close.
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()}.
 */
public final class HttpProbe implements HealthProbe {
    /** Default path: {@value}. */
    public static final String DEFAULT_PATH = "/health";
    /** Default scheme: {@value}. */
    public static final String DEFAULT_SCHEME = "http";
    /** Default lowest healthy status: {@value}. */
    public static final int DEFAULT_MIN_STATUS = 200;
    /** Default highest healthy status: {@value} (redirects count as healthy, like Kubernetes). */
    public static final int DEFAULT_MAX_STATUS = 399;
    /** Default limit of body bytes read for body checks and reasons: {@value} (64 KiB). */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HttpProbe.class);
    private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");
    private static final Pattern HOST_HEADER = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");
    private static final int REASON_BODY_CHARS = 120;

    /**
     * The one client of all probes (they share its dispatcher and thread pools): no redirects, no retries, and no
     * connection reuse. A pool that keeps no idle connection closes each socket once its response is read, so a probe
     * never reuses a connection to a process that was restarted on the same port, and no idle socket to a retired
     * target is kept. Probes also send {@code Connection: close}.
     */
    private static final OkHttpClient BASE = new OkHttpClient.Builder()
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
            .build();

    private final String path;
    private final String scheme;
    private final int minStatus;
    private final int maxStatus;
    private final String bodyContains;
    private final Pattern bodyPattern;
    private final Map<String, Pattern> expectedHeaders;
    private final Map<String, String> requestHeaders;
    private final String hostHeader;
    private final int maxBodyBytes;
    private final OkHttpClient client;

    private HttpProbe(Builder b) {
        this.path = b.path;
        this.scheme = b.scheme;
        this.minStatus = b.minStatus;
        this.maxStatus = b.maxStatus;
        this.bodyContains = b.bodyContains;
        this.bodyPattern = b.bodyPattern;
        this.expectedHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(b.expectedHeaders));
        this.requestHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(b.requestHeaders));
        this.hostHeader = b.hostHeader;
        this.maxBodyBytes = b.maxBodyBytes;
        this.client = BASE;
    }

    /** A probe of {@code GET http://host:port/health} expecting 200-399. */
    public static HttpProbe create() {
        return builder().build();
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The URL this probe asks for {@code target}. */
    public String url(Target target) {
        return new HttpUrl.Builder().scheme(scheme).host(target.endpoint().host()).port(target.endpoint().port())
                .encodedPath(pathOnly()).encodedQuery(queryOnly()).build().toString();
    }

    private String pathOnly() {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    private String queryOnly() {
        int q = path.indexOf('?');
        return q < 0 ? null : path.substring(q + 1);
    }

    @Override
    public HealthResult check(Target target, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(timeout, "timeout");
        String url = url(target);
        String what = "GET " + url;
        Request.Builder rb = new Request.Builder().url(url).get().header("Connection", "close");
        requestHeaders.forEach(rb::header);
        if (hostHeader != null) {
            rb.header("Host", hostHeader);
        }
        Call call = client.newCall(rb.build());
        call.timeout().timeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        HealthResult result;
        try (Response response = call.execute()) {
            result = judge(what, response);
        } catch (IOException e) {
            result = HealthResult.unhealthy(what + ": " + describe(e, timeout));
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} -> {} {}", what, result.status(), result.reason());
        }
        return result;
    }

    private HealthResult judge(String what, Response response) throws IOException {
        int code = response.code();
        boolean needBody = bodyContains != null || bodyPattern != null;
        if (code < minStatus || code > maxStatus) {
            String body = Texts.snippet(response.peekBody(maxBodyBytes).string(), REASON_BODY_CHARS);
            return HealthResult.unhealthyAnswer(what + " -> " + code + " (expected " + minStatus + "-" + maxStatus + ")"
                    + (body.isEmpty() ? "" : ": " + body));
        }
        for (Map.Entry<String, Pattern> e : expectedHeaders.entrySet()) {
            String value = response.header(e.getKey());
            if (value == null) {
                return HealthResult.unhealthyAnswer(what + " -> " + code + ": response header " + e.getKey() + " missing");
            }
            if (e.getValue() != null && !e.getValue().matcher(value).matches()) {
                return HealthResult.unhealthyAnswer(what + " -> " + code + ": response header " + e.getKey() + " '"
                        + Texts.snippet(value, REASON_BODY_CHARS) + "' does not match /" + e.getValue().pattern() + "/");
            }
        }
        if (needBody) {
            String body = response.peekBody(maxBodyBytes).string();
            if (bodyContains != null && !body.contains(bodyContains)) {
                return HealthResult.unhealthyAnswer(what + " -> " + code + ": body does not contain '"
                        + Texts.snippet(bodyContains, REASON_BODY_CHARS) + "': " + Texts.snippet(body, REASON_BODY_CHARS));
            }
            if (bodyPattern != null && !bodyPattern.matcher(body).find()) {
                return HealthResult.unhealthyAnswer(what + " -> " + code + ": body does not match /" + bodyPattern.pattern()
                        + "/: " + Texts.snippet(body, REASON_BODY_CHARS));
            }
        }
        return HealthResult.healthy();
    }

    private static String describe(IOException e, Duration timeout) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            root = t;
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException
                || "timeout".equalsIgnoreCase(e.getMessage()) || "Canceled".equalsIgnoreCase(e.getMessage())) {
            return "timed out after " + Texts.millis(timeout);
        }
        String msg = root.getMessage();
        return root.getClass().getSimpleName() + (msg == null ? "" : ": " + Texts.snippet(msg, 200));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HttpProbe[GET ").append(scheme).append("://<target>").append(path)
                .append(", expect ").append(minStatus).append('-').append(maxStatus);
        if (bodyContains != null) {
            sb.append(", body contains '").append(Texts.snippet(bodyContains, 40)).append('\'');
        }
        if (bodyPattern != null) {
            sb.append(", body matches /").append(bodyPattern.pattern()).append('/');
        }
        if (!expectedHeaders.isEmpty()) {
            sb.append(", response headers ").append(expectedHeaders.keySet());
        }
        if (!requestHeaders.isEmpty()) {
            sb.append(", request headers ").append(requestHeaders.keySet()).append(" (values hidden)");
        }
        if (hostHeader != null) {
            sb.append(", Host ").append(hostHeader);
        }
        return sb.append(']').toString();
    }

    /**
     * Builds an {@link HttpProbe}. Every setter validates and names the bad value (never a request header's value).
     * Not thread-safe.
     */
    public static final class Builder {
        private String path = DEFAULT_PATH;
        private String scheme = DEFAULT_SCHEME;
        private int minStatus = DEFAULT_MIN_STATUS;
        private int maxStatus = DEFAULT_MAX_STATUS;
        private String bodyContains;
        private Pattern bodyPattern;
        private final Map<String, Pattern> expectedHeaders = new LinkedHashMap<>();
        private final Map<String, String> requestHeaders = new LinkedHashMap<>();
        private String hostHeader;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

        private Builder() {
        }

        /**
         * Path (and optional query) to ask, starting with {@code /}, printable ASCII without whitespace. Default
         * {@value #DEFAULT_PATH}.
         */
        public Builder path(String value) {
            if (value == null) {
                throw new IllegalArgumentException("httpProbe.path must not be null");
            }
            if (!PATH.matcher(value).matches() || value.length() > 2048) {
                throw new IllegalArgumentException("httpProbe.path '" + Texts.snippet(value, 200)
                        + "' is invalid: expected '/' followed by printable ASCII without whitespace or control characters");
            }
            path = value;
            return this;
        }

        /** {@code http} or {@code https}. Default {@value #DEFAULT_SCHEME}. */
        public Builder scheme(String value) {
            if (!"http".equals(value) && !"https".equals(value)) {
                throw new IllegalArgumentException("httpProbe.scheme '" + (value == null ? "null" : Texts.snippet(value, 40))
                        + "' is invalid: expected http or https");
            }
            scheme = value;
            return this;
        }

        /** Shorthand for {@code scheme("https")}; uses the JDK's default trust store. */
        public Builder https() {
            return scheme("https");
        }

        /** Healthy statuses, inclusive, 100 to 599. Default 200-399. */
        public Builder expectStatus(int min, int max) {
            if (min < 100 || max > 599 || min > max) {
                throw new IllegalArgumentException("httpProbe.expectStatus " + min + "-" + max
                        + " is invalid: expected 100 <= min <= max <= 599");
            }
            minStatus = min;
            maxStatus = max;
            return this;
        }

        /** Healthy only when the body (first {@link #maxBodyBytes} bytes) contains this text. */
        public Builder bodyContains(String text) {
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("httpProbe.bodyContains must not be null or empty");
            }
            bodyContains = text;
            return this;
        }

        /** Healthy only when the regular expression is found in the body (first {@link #maxBodyBytes} bytes). */
        public Builder bodyMatches(String regex) {
            if (regex == null || regex.isEmpty()) {
                throw new IllegalArgumentException("httpProbe.bodyMatches must not be null or empty");
            }
            try {
                bodyPattern = Pattern.compile(regex);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("httpProbe.bodyMatches '" + Texts.snippet(regex, 200)
                        + "' is not a valid regular expression: " + e.getDescription(), e);
            }
            return this;
        }

        /** Healthy only when the response carries this header (any value). Repeatable. */
        public Builder expectHeader(String name) {
            expectedHeaders.put(headerName("httpProbe.expectHeader", name), null);
            return this;
        }

        /** Healthy only when the response header's whole value matches {@code regex}. Repeatable. */
        public Builder expectHeader(String name, String regex) {
            String n = headerName("httpProbe.expectHeader", name);
            if (regex == null) {
                throw new IllegalArgumentException("httpProbe.expectHeader regex of " + n + " must not be null");
            }
            try {
                expectedHeaders.put(n, Pattern.compile(regex));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("httpProbe.expectHeader regex of " + n + " '" + Texts.snippet(regex, 200)
                        + "' is not a valid regular expression: " + e.getDescription(), e);
            }
            return this;
        }

        /**
         * Adds a request header, for example {@code Authorization}. The value is a secret: it is never shown in
         * messages, logs or {@code toString()}. It must not contain control characters. Repeatable (last wins).
         * Use {@link #host(String)} for {@code Host}.
         */
        public Builder header(String name, String value) {
            String n = headerName("httpProbe.header", name);
            if ("host".equalsIgnoreCase(n)) {
                throw new IllegalArgumentException("httpProbe.header 'Host' must be set with host(...)");
            }
            if (value == null) {
                throw new IllegalArgumentException("httpProbe.header value of " + n + " must not be null");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                    throw new IllegalArgumentException("httpProbe.header value of " + n
                            + " is invalid: contains a control or non-ASCII character at index " + i + " (value hidden)");
                }
            }
            requestHeaders.put(n, value);
            return this;
        }

        /** Overrides the {@code Host} header (a hostname or {@code [ipv6]}, optionally {@code :port}); for virtual hosts. */
        public Builder host(String value) {
            if (value == null || !HOST_HEADER.matcher(value).matches()) {
                throw new IllegalArgumentException("httpProbe.host '" + (value == null ? "null" : Texts.snippet(value, 200))
                        + "' is invalid: expected a hostname or [ipv6], optionally followed by :port");
            }
            hostHeader = value;
            return this;
        }

        /** Most body bytes read, 1 to 16 MiB. Default {@value #DEFAULT_MAX_BODY_BYTES}. */
        public Builder maxBodyBytes(int value) {
            if (value < 1 || value > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("httpProbe.maxBodyBytes must be in [1, 16777216], was " + value);
            }
            maxBodyBytes = value;
            return this;
        }

        /** Builds the probe (it uses the OkHttp client shared by all probes). */
        public HttpProbe build() {
            return new HttpProbe(this);
        }

        private static String headerName(String field, String name) {
            if (name == null || !HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(field + " name '" + (name == null ? "null" : Texts.snippet(name, 80))
                        + "' is invalid: expected an HTTP token of 1 to 64 characters");
            }
            return name;
        }
    }

    /** Names of the request headers this probe sends (values are secrets and not exposed). */
    public List<String> requestHeaderNames() {
        return List.copyOf(requestHeaders.keySet());
    }

    /** Connections (idle or in use) held by the client shared by all probes; for tests. */
    static int pooledConnections() {
        return BASE.connectionPool().connectionCount();
    }
}
