package dev.zdd.docker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdd.api.Arguments;
import dev.zdd.docker.DockerException;
import dev.zdd.docker.DockerTransport;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The HTTP layer of {@code DockerClient}: OkHttp over a {@link DockerTransport}, one call at a time, with Docker's
 * error messages turned into {@link DockerException}s. Request bodies and headers (which hold environment values and
 * registry credentials) are never logged nor put into a message. Thread-safe.
 */
public final class DockerHttp implements AutoCloseable {
    /** The JSON mapper of zdd-docker (thread-safe once configured). */
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Longest JSON line accepted in a progress stream. */
    public static final long MAX_LINE_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.docker.DockerClient");
    private static final String DAEMON_HOSTNAME = "docker";

    private final DockerTransport transport;
    private final HttpUrl base;
    private final OkHttpClient http;
    private final Duration readTimeout;

    /** A client through {@code transport} with these timeouts and at most {@code maxIdle} pooled idle connections. */
    public DockerHttp(DockerTransport transport, Duration connectTimeout, Duration readTimeout, int maxIdle) {
        this.transport = transport;
        this.readTimeout = readTimeout;
        // every connection goes through the transport; the host name is only a label (Docker ignores the Host header)
        this.http = new OkHttpClient.Builder()
                .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .connectionPool(new ConnectionPool(maxIdle, 5, TimeUnit.MINUTES))
                .followRedirects(false)
                .socketFactory(new TransportSocketFactory(transport))
                .dns(hostname -> {
                    if (!DAEMON_HOSTNAME.equals(hostname)) {
                        throw new java.net.UnknownHostException(hostname);
                    }
                    return List.of(InetAddress.getByAddress(DAEMON_HOSTNAME, new byte[] {127, 0, 0, 1}));
                })
                .build();
        this.base = new HttpUrl.Builder().scheme("http").host(DAEMON_HOSTNAME).build();
    }

    /** The daemon address, for messages. */
    public String address() {
        return transport.address();
    }

    /** A URL for {@code path} ({@code a/b}), under {@code /v<apiVersion>} unless {@code apiVersion} is null. */
    public HttpUrl.Builder url(String path, String apiVersion) {
        HttpUrl.Builder u = base.newBuilder();
        if (apiVersion != null) {
            u.addPathSegment("v" + apiVersion);
        }
        return u.addPathSegments(path);
    }

    /** An answer: status and body. */
    public record Resp(int status, byte[] body) {
        /** The body as UTF-8 text. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body as JSON; a {@link DockerException} when it is not. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new DockerException("Docker answered something that is not JSON: " + e.getMessage(), status, "", e);
            }
        }
    }

    /** {@link #send(String, HttpUrl, RequestBody, Duration, Map, int...)} without extra headers. */
    public Resp send(String method, HttpUrl url, RequestBody body, Duration extraRead, int... alsoOk) {
        return send(method, url, body, extraRead, Map.of(), alsoOk);
    }

    /**
     * One call. Statuses below 300 and those in {@code alsoOk} are answers; anything else is a {@link DockerException}
     * with Docker's message. Neither the body nor the headers are ever logged nor put in a message.
     *
     * @param extraRead added to the read timeout for this call, or null
     */
    public Resp send(String method, HttpUrl url, RequestBody body, Duration extraRead, Map<String, String> headers,
            int... alsoOk) {
        String what = method + " " + url.encodedPath();
        OkHttpClient client = extraRead == null ? http
                : http.newBuilder().readTimeout(readTimeout.plus(extraRead).toMillis(), TimeUnit.MILLISECONDS).build();
        long start = System.nanoTime();
        try (Response resp = client.newCall(request(method, url, body, headers)).execute()) {
            ResponseBody rb = resp.body();
            byte[] bytes = rb == null ? new byte[0] : rb.bytes();
            int status = resp.code();
            LOG.debug("docker {} -> {} in {} ms", what, status, (System.nanoTime() - start) / 1_000_000);
            if (!ok(status, alsoOk)) {
                String msg = dockerMessage(bytes);
                throw new DockerException("Docker " + what + " failed (" + status + "): " + msg, status, msg, null);
            }
            return new Resp(status, bytes);
        } catch (IOException e) {
            throw transportFailure(what, e, UnaryOperator.identity());
        }
    }

    /**
     * A call whose answer is a stream of JSON lines (image pull, push, import): each line is given to {@code onLine}
     * as it arrives. A line with an {@code error} (Docker reports failures this way after answering 200) ends the call
     * with a {@link DockerException} of status 200 carrying that error. Every read waits at most the read timeout, the
     * whole call at most {@code callTimeout}. Every message is passed through {@code scrub} (which removes secrets).
     *
     * @return the HTTP status
     */
    public int stream(String method, HttpUrl url, RequestBody body, Map<String, String> headers, Duration callTimeout,
            Consumer<JsonNode> onLine, UnaryOperator<String> scrub) {
        String what = method + " " + url.encodedPath();
        Call call = http.newCall(request(method, url, body, headers));
        call.timeout().timeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        try (Response resp = call.execute()) {
            int status = resp.code();
            ResponseBody rb = resp.body();
            if (!ok(status)) {
                String msg = scrub.apply(dockerMessage(rb == null ? new byte[0] : rb.bytes()));
                LOG.debug("docker {} -> {} in {} ms", what, status, (System.nanoTime() - start) / 1_000_000);
                throw new DockerException("Docker " + what + " failed (" + status + "): " + msg, status, msg, null);
            }
            if (rb != null) {
                BufferedSource source = rb.source();
                while (!source.exhausted()) {
                    long newline = source.indexOf((byte) '\n', 0, MAX_LINE_BYTES);
                    String line;
                    if (newline >= 0) {
                        line = source.readUtf8(newline);
                        source.skip(1);
                    } else if (source.request(MAX_LINE_BYTES)) {
                        throw new DockerException("Docker " + what + " sent a line longer than " + MAX_LINE_BYTES
                                + " bytes", status, "", null);
                    } else {
                        line = source.readUtf8(); // the last line, without a newline
                    }
                    handleLine(what, status, line, onLine, scrub);
                }
            }
            LOG.debug("docker {} -> {} (stream) in {} ms", what, status, (System.nanoTime() - start) / 1_000_000);
            return status;
        } catch (IOException e) {
            throw transportFailure(what, e, scrub);
        }
    }

    private static void handleLine(String what, int status, String line, Consumer<JsonNode> onLine,
            UnaryOperator<String> scrub) {
        if (line == null || line.isBlank()) {
            return;
        }
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return; // not JSON: progress noise
        }
        if (n == null || !n.isObject()) {
            return;
        }
        if (n.hasNonNull("error") || n.path("errorDetail").hasNonNull("message")) {
            String msg = n.hasNonNull("error") ? n.path("error").asText() : n.path("errorDetail").path("message").asText();
            msg = scrub.apply(Arguments.printable(msg, 500));
            throw new DockerException("Docker " + what + " failed: " + msg, status, msg, null);
        }
        onLine.accept(n);
    }

    private static Request request(String method, HttpUrl url, RequestBody body, Map<String, String> headers) {
        Request.Builder rb = new Request.Builder().url(url).method(method, body);
        headers.forEach(rb::header);
        return rb.build();
    }

    private static boolean ok(int status, int... alsoOk) {
        boolean ok = status < 300;
        for (int s : alsoOk) {
            ok |= status == s;
        }
        return ok;
    }

    private DockerException transportFailure(String what, IOException e, UnaryOperator<String> scrub) {
        String address = transport.address();
        TransportConnectException tce = TransportConnectException.find(e);
        if (tce != null || e instanceof ConnectException) {
            // OkHttp's own message names its placeholder address (docker/127.0.0.1:80): say which daemon was tried
            String reason = tce != null ? tce.reason() : e.getMessage();
            return new DockerException(scrub.apply("cannot reach the Docker daemon at " + address + " (" + reason
                    + "); is dockerd running and is this the right host?"), -1, "", e);
        }
        if (e instanceof InterruptedIOException) {
            return new DockerException(scrub.apply("Docker " + what + " at " + address + " did not answer in time ("
                    + e.getMessage() + ")"), -1, "", e);
        }
        return new DockerException(scrub.apply("Docker " + what + " at " + address + " failed: " + e), -1, "", e);
    }

    /** Docker's {@code message} from an error body, or the (shortened, printable) text. */
    public static String dockerMessage(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && n.hasNonNull("message")) {
                return n.path("message").asText();
            }
        } catch (IOException e) {
            // not JSON: use the text
        }
        return Arguments.printable(text.length() > 500 ? text.substring(0, 500) : text);
    }

    /** Evicts pooled connections. */
    @Override
    public void close() {
        http.connectionPool().evictAll();
        http.dispatcher().executorService().shutdown();
    }
}
