package dev.zdd.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zdd.api.Arguments;
import dev.zdd.docker.internal.LogFrames;
import dev.zdd.docker.internal.DockerHttp;
import dev.zdd.docker.internal.ProgressRelay;
import dev.zdd.docker.internal.Validate;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A small Docker Engine API client over a unix socket ({@code unix:///var/run/docker.sock}, no native library), plain
 * TCP ({@code tcp://127.0.0.1:2375}) or any {@link DockerTransport} (for example Docker over ssh from zdd-ssh): ping,
 * version, containers (list by label, create, start, inspect, stop, remove, logs) and images (inspect, import).
 *
 * <p>On first use it asks the daemon for its API version ({@code GET /version}) and then speaks
 * {@code min(daemon, }{@value #MAX_API_VERSION}{@code )} on versioned paths ({@code /v1.41/...}); a daemon older than
 * {@value #MIN_API_VERSION} is refused. Every call has a connect and a read timeout; connections are pooled, and the
 * unix socket honours read timeouts so that a pooled connection idle for long is checked without hanging.
 *
 * <p>Errors are {@link DockerException}s that carry Docker's own message. Request bodies (which hold environment
 * values, possibly secrets) never appear in logs or exception messages.
 *
 * <p>Thread-safe; one instance per daemon is enough. {@link #close()} releases pooled connections.
 */
public final class DockerClient implements AutoCloseable {
    /** Default daemon: {@code unix:///var/run/docker.sock}. */
    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
    /** Default connect timeout: 5 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default read timeout of one call: 30 s (a stop waits this plus its grace). */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    /** The newest API version this client speaks. */
    public static final String MAX_API_VERSION = "1.41";
    /** The oldest API version this client accepts (HEALTHCHECK and init need 1.25). */
    public static final String MIN_API_VERSION = "1.25";
    /** Default bound of a whole image pull, push or import: 10 min. */
    public static final Duration DEFAULT_PULL_TIMEOUT = Duration.ofMinutes(10);
    /** Byte counts of one layer reach a {@link PullListener} at most this often: 250 ms. */
    public static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);

    private static final Logger LOG = LoggerFactory.getLogger(DockerClient.class);
    private static final ObjectMapper JSON = DockerHttp.JSON;
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final MediaType TAR_TYPE = MediaType.get("application/x-tar");

    private final DockerTransport transport;
    private final DockerHttp http;
    private final Duration pullTimeout;
    private final String pinnedApiVersion;
    private volatile String apiVersion;

    private DockerClient(Builder b) {
        this.transport = b.transport != null ? b.transport : DockerTransport.forHost(b.host);
        this.http = new DockerHttp(transport, b.connectTimeout, b.readTimeout, b.maxIdleConnections);
        this.pullTimeout = b.pullTimeout;
        this.pinnedApiVersion = b.apiVersion;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A client for {@code host} ({@code unix:///path} or {@code tcp://host:port}) with default timeouts. */
    public static DockerClient connect(String host) {
        return builder().host(host).build();
    }

    /** The daemon address this client talks to ({@link DockerTransport#address()}). */
    public String host() {
        return transport.address();
    }

    /** {@code GET /_ping}; throws {@link DockerException} when the daemon does not answer OK. */
    public void ping() {
        DockerHttp.Resp r = http.send("GET", url("_ping", false).build(), null, null);
        String body = r.text().trim();
        if (!"OK".equals(body)) {
            throw new DockerException("Docker GET /_ping answered '" + Arguments.printable(body) + "' instead of OK", r.status(),
                    body, null);
        }
    }

    /** {@code GET /version} (unversioned). */
    public DockerVersion version() {
        JsonNode n = http.send("GET", url("version", false).build(), null, null).json();
        return new DockerVersion(n.path("Version").asText(""), n.path("ApiVersion").asText(""),
                n.path("MinAPIVersion").asText(""), n.path("Os").asText(""), n.path("Arch").asText(""));
    }

    /** The API version in use, negotiated with the daemon on first call. */
    public String apiVersion() {
        String v = apiVersion;
        if (v != null) {
            return v;
        }
        synchronized (this) {
            if (apiVersion == null) {
                apiVersion = pinnedApiVersion != null ? pinnedApiVersion : negotiate(version());
                LOG.debug("docker {}: speaking API {}", transport.address(), apiVersion);
            }
            return apiVersion;
        }
    }

    static String negotiate(DockerVersion daemon) {
        String theirs = daemon.apiVersion();
        if (theirs.isEmpty()) {
            throw new DockerException("Docker daemon did not say which API version it speaks", -1, "", null);
        }
        if (compareVersions(theirs, MIN_API_VERSION) < 0) {
            throw new DockerException("Docker daemon " + daemon.version() + " speaks API " + theirs + ", older than "
                    + MIN_API_VERSION + " which zdd-docker needs", -1, "", null);
        }
        return compareVersions(theirs, MAX_API_VERSION) < 0 ? theirs : MAX_API_VERSION;
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? parseIntOr0(x[i]) : 0;
            int q = i < y.length ? parseIntOr0(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static int parseIntOr0(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * {@code GET /containers/json}: containers carrying every label of {@code labels} (exact values).
     *
     * @param all also stopped containers when {@code true}; running ones only otherwise
     */
    public List<ContainerSummary> listContainers(Map<String, String> labels, boolean all) {
        ObjectNode filters = JSON.createObjectNode();
        ArrayNode labelFilter = filters.putArray("label");
        Arguments.notNull("labels", labels).forEach((k, v) -> {
            Arguments.matches("label key", k, Validate.LABEL_KEY, "a key such as dev.zdd.service");
            labelFilter.add(k + "=" + Validate.noControl("label[" + k + "]", v));
        });
        HttpUrl.Builder u = url("containers/json", true).addQueryParameter("all", all ? "1" : "0");
        if (!labels.isEmpty()) {
            u.addQueryParameter("filters", filters.toString());
        }
        JsonNode arr = http.send("GET", u.build(), null, null).json();
        List<ContainerSummary> out = new ArrayList<>();
        for (JsonNode c : arr) {
            String name = c.path("Names").path(0).asText("");
            out.add(new ContainerSummary(c.path("Id").asText(), name.startsWith("/") ? name.substring(1) : name,
                    c.path("Image").asText(""), stringMap(c.path("Labels")), c.path("State").asText(""),
                    summaryPorts(c.path("Ports"))));
        }
        return out;
    }

    /** {@code POST /containers/create}; returns the new container's id. */
    public String createContainer(ContainerSpec spec) {
        Arguments.notNull("spec", spec);
        ObjectNode body = JSON.createObjectNode();
        body.put("Image", spec.image());
        if (!spec.env().isEmpty()) {
            ArrayNode env = body.putArray("Env");
            spec.env().forEach((k, v) -> env.add(k + "=" + v));
        }
        ObjectNode labels = body.putObject("Labels");
        spec.labels().forEach(labels::put);
        spec.cmd().ifPresent(cmd -> cmd.forEach(body.putArray("Cmd")::add));
        spec.stopSignal().ifPresent(s -> body.put("StopSignal", s));
        spec.stopTimeout().ifPresent(t -> body.put("StopTimeout", ceilSeconds(t)));
        spec.healthcheck().ifPresent(h -> {
            ObjectNode hc = body.putObject("Healthcheck");
            h.test().forEach(hc.putArray("Test")::add);
            hc.put("Interval", h.interval().toNanos());
            hc.put("Timeout", h.timeout().toNanos());
            hc.put("Retries", h.retries());
            hc.put("StartPeriod", h.startPeriod().toNanos());
        });
        ObjectNode hostConfig = body.putObject("HostConfig");
        hostConfig.put("Init", spec.init());
        spec.network().ifPresent(n -> hostConfig.put("NetworkMode", n));
        if (!spec.ports().isEmpty()) {
            ObjectNode exposed = body.putObject("ExposedPorts");
            ObjectNode bindings = hostConfig.putObject("PortBindings");
            for (PortBinding p : spec.ports()) {
                String key = p.containerPort() + "/" + p.protocol();
                exposed.putObject(key);
                ArrayNode list = bindings.has(key) ? (ArrayNode) bindings.get(key) : bindings.putArray(key);
                ObjectNode bind = list.addObject();
                bind.put("HostIp", p.hostIp());
                bind.put("HostPort", p.hostPort() == 0 ? "" : Integer.toString(p.hostPort()));
            }
        }
        HttpUrl.Builder u = url("containers/create", true);
        spec.name().ifPresent(n -> u.addQueryParameter("name", n));
        JsonNode created = http.send("POST", u.build(), RequestBody.create(body.toString().getBytes(StandardCharsets.UTF_8),
                JSON_TYPE), null).json();
        JsonNode warnings = created.path("Warnings");
        if (warnings.isArray() && !warnings.isEmpty()) {
            LOG.warn("docker create {}: {}", spec.name().orElse(spec.image()), warnings);
        }
        return created.path("Id").asText();
    }

    /** {@code POST /containers/{id}/start}; starting a running container is not an error. */
    public void startContainer(String id) {
        http.send("POST", containerUrl(id, "start").build(), RequestBody.create(new byte[0], null), null, 304);
    }

    /** {@code GET /containers/{id}/json}; a missing container is a {@link DockerException} with status 404. */
    public ContainerInfo inspectContainer(String id) {
        JsonNode n = http.send("GET", containerUrl(id, "json").build(), null, null).json();
        JsonNode state = n.path("State");
        JsonNode health = state.path("Health");
        String healthStatus = health.isObject() ? health.path("Status").asText(ContainerInfo.NO_HEALTHCHECK)
                : ContainerInfo.NO_HEALTHCHECK;
        String lastOutput = "";
        JsonNode log = health.path("Log");
        if (log.isArray() && !log.isEmpty()) {
            JsonNode last = log.get(log.size() - 1);
            lastOutput = "exit " + last.path("ExitCode").asInt() + ": " + last.path("Output").asText("").trim();
        }
        List<PortBinding> ports = new ArrayList<>();
        JsonNode p = n.path("NetworkSettings").path("Ports");
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String[] portProto = e.getKey().split("/");
            int containerPort = parseIntOr0(portProto[0]);
            String proto = portProto.length > 1 ? portProto[1] : "tcp";
            if (e.getValue().isArray()) {
                for (JsonNode b : e.getValue()) {
                    int hostPort = parseIntOr0(b.path("HostPort").asText(""));
                    if (hostPort > 0) {
                        ports.add(new PortBinding(containerPort, proto, b.path("HostIp").asText(""), hostPort));
                    }
                }
            }
        }
        String name = n.path("Name").asText("");
        return new ContainerInfo(n.path("Id").asText(), name.startsWith("/") ? name.substring(1) : name,
                n.path("Config").path("Image").asText(""), stringMap(n.path("Config").path("Labels")),
                state.path("Status").asText(""), state.path("ExitCode").asInt(), state.path("Error").asText(""),
                state.path("OOMKilled").asBoolean(), healthStatus, lastOutput, ports);
    }

    /**
     * {@code POST /containers/{id}/stop?t=...}: the stop signal, then SIGKILL after {@code timeout} (whole seconds,
     * rounded up). Waits at most the read timeout plus {@code timeout}.
     *
     * @return {@code false} when it was already stopped or does not exist
     */
    public boolean stopContainer(String id, Duration timeout) {
        Arguments.nonNegative("timeout", timeout);
        DockerHttp.Resp r = http.send("POST", containerUrl(id, "stop").addQueryParameter("t", Long.toString(ceilSeconds(timeout))).build(),
                RequestBody.create(new byte[0], null), timeout.plusSeconds(1), 304, 404);
        return r.status() == 204;
    }

    /**
     * {@code DELETE /containers/{id}}; with {@code force} a running container is killed first. Its anonymous volumes go
     * with it.
     *
     * @return {@code false} when it did not exist
     */
    public boolean removeContainer(String id, boolean force) {
        DockerHttp.Resp r = http.send("DELETE", containerUrl(id, null).addQueryParameter("force", Boolean.toString(force))
                .addQueryParameter("v", "true").build(), null, null, 404);
        return r.status() != 404;
    }

    /** The last {@code lines} lines of the container's stdout and stderr, demultiplexed, as text. */
    public String logs(String id, int lines) {
        Arguments.range("lines", lines, 1, 10_000);
        DockerHttp.Resp r = http.send("GET", containerUrl(id, "logs").addQueryParameter("stdout", "1").addQueryParameter("stderr", "1")
                .addQueryParameter("tail", Integer.toString(lines)).build(), null, null);
        return LogFrames.decode(r.body());
    }

    /** {@code GET /images/{name}/json}: the image when the daemon has it, empty when not. */
    public Optional<ImageInfo> inspectImage(String image) {
        ImageReference.parse("image", image);
        DockerHttp.Resp r = http.send("GET", url("images/" + image + "/json", true).build(), null, null, 404);
        if (r.status() == 404) {
            return Optional.empty();
        }
        JsonNode n = r.json();
        List<String> tags = new ArrayList<>();
        n.path("RepoTags").forEach(t -> tags.add(t.asText()));
        return Optional.of(new ImageInfo(n.path("Id").asText(), tags, stringMap(n.path("Config").path("Labels"))));
    }

    /**
     * {@code POST /images/create?fromSrc=-} (what {@code docker import} does): makes image {@code repository:tag} from
     * a root filesystem tar, applying Dockerfile {@code changes} such as {@code ENV A=b} or {@code CMD ["/start"]}.
     */
    public void importImage(byte[] rootfsTar, String repository, String tag, List<String> changes) {
        Arguments.notNull("rootfsTar", rootfsTar);
        ImageReference.parse("image", repository + ":" + tag);
        HttpUrl.Builder u = url("images/create", true).addQueryParameter("fromSrc", "-")
                .addQueryParameter("repo", repository).addQueryParameter("tag", tag);
        for (String c : Arguments.notNull("changes", changes)) {
            u.addQueryParameter("changes", Validate.noControl("change", c));
        }
        http.stream("POST", u.build(), RequestBody.create(rootfsTar, TAR_TYPE), Map.of(), pullTimeout, line -> { },
                UnaryOperator.identity());
    }

    /**
     * {@code POST /images/create?fromImage=...&tag=...} (what {@code docker pull} does) without credentials: for public
     * images or registries that need none. See {@link #pullImage(String, RegistryCredentials, PullListener)}.
     */
    public ImageInfo pullImage(String image, PullListener listener) {
        return pull(ImageReference.parse("image", image), null, listener);
    }

    /**
     * {@code POST /images/create?fromImage=...&tag=...} (what {@code docker pull} does): the daemon pulls {@code image}
     * from its registry with {@code credentials} (sent in the {@code X-Registry-Auth} header to the daemon only) and
     * reports progress to {@code listener}. Failures are {@link DockerException}s that name the image, the registry and
     * the user, never the password: refused credentials, an image the registry does not have, an unreachable registry,
     * or an error the daemon reports in the progress stream after answering 200. The whole pull takes at most the
     * builder's {@link Builder#pullTimeout(Duration)}, each read at most the read timeout.
     *
     * @param credentials for the image's registry ({@link ImageReference#registry()}); credentials for another
     *                    registry are refused, so they are never sent where they do not belong
     * @return the pulled image as the daemon now has it
     */
    public ImageInfo pullImage(String image, RegistryCredentials credentials, PullListener listener) {
        return pull(ImageReference.parse("image", image), Arguments.notNull("credentials", credentials), listener);
    }

    private ImageInfo pull(ImageReference ref, RegistryCredentials credentials, PullListener listener) {
        Arguments.notNull("listener", listener);
        RegistryAuth.check(ref, credentials);
        HttpUrl u = url("images/create", true).addQueryParameter("fromImage", ref.repository())
                .addQueryParameter("tag", ref.tagOrDigest()).build();
        ProgressRelay relay = new ProgressRelay(ref.toString(), listener, PROGRESS_INTERVAL);
        long start = System.nanoTime();
        try {
            http.stream("POST", u, RequestBody.create(new byte[0], null), RegistryAuth.headers(credentials), pullTimeout, relay,
                    RegistryAuth.scrubber(credentials));
        } catch (DockerException e) {
            throw RegistryAuth.failure("pull", ref, credentials, host(), e);
        }
        LOG.info("pulled {} from {} in {} ms ({})", ref, ref.registry(), (System.nanoTime() - start) / 1_000_000,
                relay.lastStatus());
        String pulled = ref.digest().isPresent() ? ref.repository() + "@" + ref.digest().get()
                : ref.repository() + ":" + ref.tagOrDigest();
        return inspectImage(pulled).orElseThrow(() -> new DockerException("Docker pulled " + pulled + " but does not"
                + " show it (" + relay.lastStatus() + ")", -1, "", null));
    }

    /**
     * {@code POST /images/{name}/push?tag=...} (what {@code docker push} does): the daemon pushes {@code image} (which
     * must carry its registry, e.g. {@code 127.0.0.1:5000/shop:1.2}) with {@code credentials} (null: none). Failures are
     * {@link DockerException}s that never show the password.
     *
     * @return the digest the registry gave the pushed manifest ({@code sha256:...}), or empty when the daemon did not say
     */
    public String pushImage(String image, RegistryCredentials credentials, PullListener listener) {
        ImageReference ref = ImageReference.parse("image", image);
        Arguments.notNull("listener", listener);
        if (ref.digest().isPresent()) {
            throw new IllegalArgumentException("image '" + image + "' is invalid for a push: name a tag, not a digest");
        }
        RegistryAuth.check(ref, credentials);
        HttpUrl u = url("images/" + ref.repository() + "/push", true).addQueryParameter("tag", ref.tagOrDigest()).build();
        ProgressRelay relay = new ProgressRelay(ref.toString(), listener, PROGRESS_INTERVAL);
        try {
            http.stream("POST", u, RequestBody.create(new byte[0], null), RegistryAuth.headers(credentials), pullTimeout, relay,
                    RegistryAuth.scrubber(credentials));
        } catch (DockerException e) {
            throw RegistryAuth.failure("push", ref, credentials, host(), e);
        }
        LOG.info("pushed {} to {} ({})", ref, ref.registry(), relay.digest());
        return relay.digest();
    }

    /** {@code POST /images/{source}/tag}: gives image {@code source} the additional name {@code target} (with a tag). */
    public void tagImage(String source, String target) {
        ImageReference.parse("source image", source);
        ImageReference t = ImageReference.parse("target image", target);
        if (t.digest().isPresent()) {
            throw new IllegalArgumentException("target image '" + target + "' is invalid: a tag cannot be a digest");
        }
        http.send("POST", url("images/" + source + "/tag", true).addQueryParameter("repo", t.repository())
                .addQueryParameter("tag", t.tagOrDigest()).build(), RequestBody.create(new byte[0], null), null);
    }

    /**
     * {@code DELETE /images/{name}}: removes this name of the image (and the image when no name is left); with
     * {@code force} also when containers use it.
     *
     * @return {@code false} when the daemon has no such image
     */
    public boolean removeImage(String image, boolean force) {
        ImageReference.parse("image", image);
        DockerHttp.Resp r = http.send("DELETE", url("images/" + image, true)
                .addQueryParameter("force", Boolean.toString(force)).build(), null, null, 404);
        return r.status() != 404;
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    private HttpUrl.Builder url(String path, boolean versioned) {
        return http.url(path, versioned ? apiVersion() : null);
    }

    private HttpUrl.Builder containerUrl(String id, String action) {
        Arguments.matches("container", id, Validate.CONTAINER_REF, "a container id or name");
        HttpUrl.Builder u = url("containers", true).addPathSegment(id);
        return action == null ? u : u.addPathSegment(action);
    }

    private static Map<String, String> stringMap(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText("")));
        }
        return m;
    }

    private static List<PortBinding> summaryPorts(JsonNode arr) {
        List<PortBinding> out = new ArrayList<>();
        for (JsonNode p : arr) {
            int pub = p.path("PublicPort").asInt(0);
            if (pub > 0) {
                out.add(new PortBinding(p.path("PrivatePort").asInt(), p.path("Type").asText("tcp"), p.path("IP").asText(""),
                        pub));
            }
        }
        return out;
    }

    /** Evicts pooled connections. The client must not be used afterwards. */
    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "DockerClient[" + transport.address() + (apiVersion == null ? "" : ", api " + apiVersion) + "]";
    }

    /** Builds a {@link DockerClient}; every setter validates and names the bad value. Not thread-safe. */
    public static final class Builder {
        /** Default number of idle pooled connections kept: 8. */
        public static final int DEFAULT_MAX_IDLE_CONNECTIONS = 8;

        private String host = DEFAULT_HOST;
        private boolean hostSet;
        private DockerTransport transport;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private String apiVersion;
        private int maxIdleConnections = DEFAULT_MAX_IDLE_CONNECTIONS;
        private Duration pullTimeout = DEFAULT_PULL_TIMEOUT;

        private Builder() {
        }

        /**
         * {@code unix:///path/to/docker.sock} or {@code tcp://host:port}. Default {@link #DEFAULT_HOST}. Not together
         * with {@link #transport(DockerTransport)}.
         */
        public Builder host(String v) {
            DockerTransport.forHost(v);
            if (transport != null) {
                throw new IllegalArgumentException("docker.host '" + Arguments.printable(v)
                        + "' cannot be set together with docker.transport (" + transport.address() + "): choose one");
            }
            host = v;
            hostSet = true;
            return this;
        }

        /**
         * Reach the daemon through this transport (for example Docker over ssh from zdd-ssh) instead of a
         * {@link #host(String)}. Default: {@link DockerTransport#forHost(String)} of the host.
         */
        public Builder transport(DockerTransport v) {
            Arguments.notNull("docker.transport", v);
            String address = v.address();
            if (address == null || address.isBlank()) {
                throw new IllegalArgumentException("docker.transport " + Arguments.printable(v.getClass().getName())
                        + " has an empty address(); it names the daemon in messages");
            }
            if (hostSet) {
                throw new IllegalArgumentException("docker.transport (" + Arguments.printable(String.valueOf(v.address()))
                        + ") cannot be set together with docker.host '" + Arguments.printable(host) + "': choose one");
            }
            transport = v;
            return this;
        }

        /** Connect timeout; positive. Default {@link #DEFAULT_CONNECT_TIMEOUT}. */
        public Builder connectTimeout(Duration v) {
            connectTimeout = Arguments.positive("docker.connectTimeout", v);
            return this;
        }

        /** Read timeout of one call; positive. Default {@link #DEFAULT_READ_TIMEOUT}. */
        public Builder readTimeout(Duration v) {
            readTimeout = Arguments.positive("docker.readTimeout", v);
            return this;
        }

        /** Speak this API version (e.g. {@code 1.41}) instead of negotiating. Default: negotiate. */
        public Builder apiVersion(String v) {
            apiVersion = Arguments.matches("docker.apiVersion", v, java.util.regex.Pattern.compile("1\\.[0-9]{1,3}"),
                    "a version such as 1.41");
            return this;
        }

        /** Idle pooled connections kept, 0 to 64 (0 disables reuse). Default {@link #DEFAULT_MAX_IDLE_CONNECTIONS}. */
        public Builder maxIdleConnections(int v) {
            maxIdleConnections = Arguments.range("docker.maxIdleConnections", v, 0, 64);
            return this;
        }

        /** Bound of a whole image pull, push or import; positive. Default {@link #DEFAULT_PULL_TIMEOUT}. */
        public Builder pullTimeout(Duration v) {
            pullTimeout = Arguments.positive("docker.pullTimeout", v);
            return this;
        }

        /** Builds (does not connect). */
        public DockerClient build() {
            return new DockerClient(this);
        }
    }
}
