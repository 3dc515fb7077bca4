package dev.zdd.docker;

import dev.zdd.api.Arguments;
import dev.zdd.api.Endpoint;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;
import dev.zdd.docker.internal.Validate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Launches one container per target through the Docker Engine API, and retires it (stop with grace, then remove).
 *
 * <p>The image of a version comes from a template such as {@code shop:{version}}. Each container is named after its
 * target ({@link #containerName(String, String)}) and labelled {@value #SERVICE_LABEL}, {@value #VERSION_LABEL}, {@value #TARGET_LABEL},
 * {@value #COLOUR_LABEL} (when the request has a {@code colour} or {@code slot} attribute) and
 * {@value #ATTRIBUTE_LABEL_PREFIX}{@code <key>} for every attribute, so that {@link #discover(String)} can rebuild the
 * targets from the daemon alone: a deployer that restarts finds which colour is live instead of guessing.
 *
 * <p>The container port is published on {@link Builder#hostIp(String)} (default {@value #DEFAULT_HOST_IP}), on a fixed
 * host port per colour or slot ({@link Builder#hostPort(String, int)}, e.g. blue 8080, green 8081) or on an ephemeral
 * port; the returned target carries the real host port and the container id (attribute {@value #CONTAINER_ATTRIBUTE}).
 * Docker's init runs as PID 1 by default so that the stop signal reaches the application.
 *
 * <p>Before creating a container the launcher pulls the image from its registry as {@link Builder#pullPolicy(PullPolicy)}
 * says (default {@link PullPolicy#IF_MISSING}), with the {@link RegistryCredentials} given for that registry, and reports
 * the progress to {@link Builder#pullListener(PullListener)}. A pull that fails, or with {@link PullPolicy#NEVER} an
 * image missing on the daemon, is a {@link LaunchException} that names the image and registry, never a password.
 *
 * <p>Immutable and thread-safe.
 */
public final class DockerLauncher implements TargetLauncher, dev.zdd.api.TargetInventory {
    /** Label naming the service. */
    public static final String SERVICE_LABEL = "dev.zdd.service";
    /** Label naming the version. */
    public static final String VERSION_LABEL = "dev.zdd.version";
    /** Label naming the target id. */
    public static final String TARGET_LABEL = "dev.zdd.target";
    /** Label naming the colour or slot. */
    public static final String COLOUR_LABEL = "dev.zdd.colour";
    /** Prefix of the labels that keep every target attribute. */
    public static final String ATTRIBUTE_LABEL_PREFIX = "dev.zdd.attr.";
    /** Target attribute holding the (short) container id. */
    public static final String CONTAINER_ATTRIBUTE = "docker.container";
    /** Target attribute read as the slot when there is no {@code colour}. */
    public static final String SLOT_ATTRIBUTE = "slot";
    /** Placeholder of the version in the image template. */
    public static final String VERSION_PLACEHOLDER = "{version}";
    /** Default container port: 8080. */
    public static final int DEFAULT_CONTAINER_PORT = 8080;
    /** Default host address the port is published on: 127.0.0.1. */
    public static final String DEFAULT_HOST_IP = "127.0.0.1";
    /** Default pull policy: {@link PullPolicy#IF_MISSING}. */
    public static final PullPolicy DEFAULT_PULL_POLICY = PullPolicy.IF_MISSING;

    private static final Logger LOG = LoggerFactory.getLogger(DockerLauncher.class);
    private static final int SHORT_ID = 12;

    private final DockerClient client;
    private final String imageTemplate;
    private final int containerPort;
    private final String hostIp;
    private final Map<String, Integer> hostPorts;
    private final Map<String, String> env;
    private final Map<String, String> labels;
    private final String network;
    private final Healthcheck healthcheck;
    private final String stopSignal;
    private final boolean init;
    private final PullPolicy pullPolicy;
    private final Map<String, RegistryCredentials> credentials;
    private final PullListener pullListener;

    private DockerLauncher(Builder b) {
        this.client = b.client;
        this.imageTemplate = b.imageTemplate;
        this.containerPort = b.containerPort;
        this.hostIp = b.hostIp;
        this.hostPorts = Collections.unmodifiableMap(new LinkedHashMap<>(b.hostPorts));
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(b.labels));
        this.network = b.network;
        this.healthcheck = b.healthcheck;
        this.stopSignal = b.stopSignal;
        this.init = b.init;
        this.pullPolicy = b.pullPolicy;
        this.credentials = Collections.unmodifiableMap(new LinkedHashMap<>(b.credentials));
        this.pullListener = b.pullListener;
    }

    /**
     * A builder for containers of images made from {@code imageTemplate} (must contain {@value #VERSION_PLACEHOLDER},
     * e.g. {@code shop:{version}}) on the daemon of {@code client}.
     */
    public static Builder builder(DockerClient client, String imageTemplate) {
        return new Builder(client, imageTemplate);
    }

    /** The image of {@code version}: the template with the version filled in, validated. */
    public String image(String version) {
        String image = imageTemplate.replace(VERSION_PLACEHOLDER, Arguments.notNull("version", version));
        ImageReference.parse("image for version " + Arguments.printable(version), image);
        return image;
    }

    /**
     * The container name of a target: {@code <targetId>} when it already starts with {@code <service>-} (as the
     * strategies' {@code shop-green-1} do), else {@code <service>-<targetId>}.
     */
    public static String containerName(String service, String targetId) {
        return targetId.startsWith(service + "-") ? targetId : service + "-" + targetId;
    }

    @Override
    public Target launch(LaunchRequest request) {
        String image = image(request.version());
        String name = containerName(request.service(), request.targetId());
        String colour = colourOf(request.attributes());
        ContainerSpec.Builder spec = ContainerSpec.builder(image).name(name).env(env).labels(labels)
                .label(SERVICE_LABEL, request.service()).label(VERSION_LABEL, request.version())
                .label(TARGET_LABEL, request.targetId()).init(init);
        if (colour != null) {
            spec.label(COLOUR_LABEL, colour);
        }
        request.attributes().forEach((k, v) -> spec.label(ATTRIBUTE_LABEL_PREFIX + k, v));
        boolean hostNetwork = "host".equals(network);
        if (network != null) {
            spec.network(network);
        }
        if (!hostNetwork) {
            spec.publish(containerPort, hostIp, colour != null ? hostPorts.getOrDefault(colour, 0) : 0);
        }
        if (healthcheck != null) {
            spec.healthcheck(healthcheck);
        }
        if (stopSignal != null) {
            spec.stopSignal(stopSignal);
        }
        ensureImage(image, request);
        String id;
        try {
            id = client.createContainer(spec.build());
        } catch (DockerException e) {
            throw new LaunchException(createFailure(request, image, name, e), e);
        } catch (RuntimeException e) {
            // cut off (timeout, interrupt): the daemon may have created it; a launch that throws leaves nothing behind
            removeByName(name);
            throw new LaunchException("cannot create container " + name + " of " + request.service() + " version "
                    + request.version() + ": " + e.getMessage(), e);
        }
        try {
            client.startContainer(id);
            ContainerInfo info = client.inspectContainer(id);
            if (!info.running()) {
                // it died during start: Docker then reports no ports; say why instead
                throw new LaunchException("container " + name + " of " + request.service() + " version "
                        + request.version() + " is " + info.status() + " right after start (exit code " + info.exitCode()
                        + (info.error().isEmpty() ? "" : ", " + info.error()) + ")"
                        + DockerHealthProbe.lastLogs(client, id, DockerHealthProbe.DEFAULT_LOG_LINES));
            }
            int port;
            String host;
            if (hostNetwork) {
                port = containerPort;
                host = "127.0.0.1";
            } else {
                PortBinding binding = info.hostPort(containerPort).orElseThrow(() -> new LaunchException(
                        "container " + name + " started but Docker reports no host port for " + containerPort + "/tcp"));
                port = binding.hostPort();
                host = endpointHost(binding.hostIp());
            }
            Map<String, String> attributes = new TreeMap<>(request.attributes());
            attributes.put(CONTAINER_ATTRIBUTE, shortId(id));
            Target target = new Target(request.targetId(), request.version(), new Endpoint(host, port), attributes);
            LOG.info("launched {} as container {} ({}) on {}", target.id(), name, image, target.endpoint());
            return target;
        } catch (RuntimeException e) {
            removeQuietly(id, name);
            if (e instanceof LaunchException le) {
                throw le;
            }
            throw new LaunchException("cannot start container " + name + " of " + request.service() + " version "
                    + request.version() + ": " + e.getMessage(), e);
        }
    }

    /** Pulls the image as the pull policy says, with the credentials of its registry (if any). */
    private void ensureImage(String image, LaunchRequest request) {
        if (pullPolicy == PullPolicy.NEVER) {
            return;
        }
        ImageReference ref = ImageReference.parse("image", image);
        try {
            if (pullPolicy == PullPolicy.IF_MISSING && client.inspectImage(image).isPresent()) {
                return;
            }
            RegistryCredentials c = credentials.get(ref.registry().toLowerCase(Locale.ROOT));
            if (c == null) {
                client.pullImage(image, pullListener);
            } else {
                client.pullImage(image, c, pullListener);
            }
        } catch (DockerException e) {
            // the message names image, registry and user, never the password
            throw new LaunchException("cannot launch " + request.targetId() + " of " + request.service() + " version "
                    + request.version() + " (pull policy " + pullPolicy + "): " + e.getMessage(), e);
        }
    }

    private String createFailure(LaunchRequest request, String image, String name, DockerException e) {
        String what = "cannot create container " + name + " for " + request.service() + " version " + request.version();
        if (e.isNotFound()) {
            boolean imageMissing;
            try {
                imageMissing = client.inspectImage(image).isEmpty();
            } catch (DockerException again) {
                imageMissing = true;
            }
            if (imageMissing) {
                String hint = pullPolicy == PullPolicy.NEVER
                        ? "pull policy NEVER: pull, load or build it first, or use PullPolicy.IF_MISSING"
                        : "it was there a moment ago: was it removed meanwhile?";
                return what + ": image '" + image + "' is not on the Docker daemon at " + client.host() + " (" + hint
                        + "). Docker said: " + e.dockerMessage();
            }
        }
        if (e.status() == 409) {
            return what + ": a container named " + name + " already exists (retire it first, or use discover() to see"
                    + " what runs). Docker said: " + e.dockerMessage();
        }
        return what + ": " + e.getMessage();
    }

    private static String endpointHost(String boundIp) {
        if (boundIp.isEmpty() || "0.0.0.0".equals(boundIp)) {
            return "127.0.0.1";
        }
        if ("::".equals(boundIp)) {
            return "::1";
        }
        return boundIp;
    }

    private static String colourOf(Map<String, String> attributes) {
        String c = attributes.get(Target.COLOUR);
        return c != null ? c : attributes.get(SLOT_ATTRIBUTE);
    }

    private static String shortId(String id) {
        return id.length() > SHORT_ID ? id.substring(0, SHORT_ID) : id;
    }

    private void removeQuietly(String id, String name) {
        // an interrupted launch still cleans up: the interrupt flag is restored afterwards
        boolean interrupted = Thread.interrupted();
        try {
            client.removeContainer(id, true);
        } catch (RuntimeException e) {
            LOG.warn("could not remove container {} after a failed launch: {}", name, e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void removeByName(String name) {
        boolean interrupted = Thread.interrupted();
        try {
            client.removeContainer(name, true);
        } catch (DockerException e) {
            if (!e.isNotFound()) {
                LOG.warn("could not remove container {} after a failed launch: {}", name, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("could not remove container {} after a failed launch: {}", name, e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops the target's container ({@code docker stop} with {@code grace}, whole seconds rounded up, then SIGKILL) and
     * removes it. Containers are found by the target's container attribute, else by Docker's labels (target id and
     * version, else target id alone, stopped containers included): the daemon is the inventory, so a target with no
     * container at all is verifiably gone and not an error. A container that cannot be stopped or removed is a
     * {@link LaunchException}.
     */
    @Override
    public void retire(Target target, Duration grace) {
        Arguments.notNull("target", target);
        Arguments.nonNegative("grace", grace);
        List<String> ids = containersOf(target);
        if (ids.isEmpty()) {
            LOG.info("retire {}: no container left", target.id());
            return;
        }
        for (String id : ids) {
            try {
                client.stopContainer(id, grace);
                client.removeContainer(id, true);
                LOG.info("retired {} (container {})", target.id(), shortId(id));
            } catch (DockerException e) {
                if (!e.isNotFound()) {
                    throw new LaunchException("cannot retire " + target.id() + " (container " + shortId(id) + "): "
                            + e.getMessage(), e);
                }
            }
        }
    }

    private List<String> containersOf(Target target) {
        String id = target.attribute(CONTAINER_ATTRIBUTE);
        if (id != null) {
            return List.of(id);
        }
        List<String> ids = new ArrayList<>();
        try {
            for (ContainerSummary c : client.listContainers(
                    Map.of(TARGET_LABEL, target.id(), VERSION_LABEL, target.version()), true)) {
                ids.add(c.id());
            }
            if (ids.isEmpty()) {
                // a target read back without its version (a router that lost it): Docker's labels still know it
                for (ContainerSummary c : client.listContainers(Map.of(TARGET_LABEL, target.id()), true)) {
                    ids.add(c.id());
                }
            }
        } catch (DockerException e) {
            throw new LaunchException("cannot find the container of " + target.id() + ": " + e.getMessage(), e);
        }
        return ids;
    }

    /**
     * The running containers of {@code service} on the daemon, as targets (id, version, real endpoint, attributes from
     * the labels, container id), sorted by target id. This is the truth after a restart: for example, which colour is
     * live. Containers without the port this launcher publishes are left out.
     */
    @Override
    public List<Target> discover(String service) {
        Arguments.matches("service", service, Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"),
                "a service name such as shop");
        List<Target> out = new ArrayList<>();
        for (ContainerSummary c : client.listContainers(Map.of(SERVICE_LABEL, service), false)) {
            Optional<Target> t = toTarget(c);
            t.ifPresent(out::add);
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    private Optional<Target> toTarget(ContainerSummary c) {
        String id = c.labels().get(TARGET_LABEL);
        String version = c.labels().get(VERSION_LABEL);
        if (id == null || version == null) {
            return Optional.empty();
        }
        Endpoint endpoint;
        if ("host".equals(network)) {
            endpoint = new Endpoint("127.0.0.1", containerPort);
        } else {
            Optional<PortBinding> p = c.ports().stream()
                    .filter(b -> b.containerPort() == containerPort && "tcp".equals(b.protocol()))
                    .min((a, b) -> Boolean.compare(a.hostIp().contains(":"), b.hostIp().contains(":")));
            if (p.isEmpty()) {
                LOG.warn("discover: container {} publishes no port for {}/tcp; left out", c.name(), containerPort);
                return Optional.empty();
            }
            endpoint = new Endpoint(endpointHost(p.get().hostIp()), p.get().hostPort());
        }
        Map<String, String> attributes = new TreeMap<>();
        c.labels().forEach((k, v) -> {
            if (k.startsWith(ATTRIBUTE_LABEL_PREFIX)) {
                attributes.put(k.substring(ATTRIBUTE_LABEL_PREFIX.length()), v);
            }
        });
        attributes.put(CONTAINER_ATTRIBUTE, shortId(c.id()));
        try {
            return Optional.of(new Target(id, version, endpoint, attributes));
        } catch (IllegalArgumentException e) {
            LOG.warn("discover: container {} has labels that make no valid target ({}); left out", c.name(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Shows environment names only, never values, and registry user names, never passwords. */
    @Override
    public String toString() {
        return "DockerLauncher[" + client.host() + ", image=" + imageTemplate + ", port=" + containerPort + ", hostIp="
                + hostIp + ", hostPorts=" + hostPorts + ", env=" + env.keySet() + (network == null ? "" : ", network=" + network)
                + ", pull=" + pullPolicy + (credentials.isEmpty() ? "" : ", credentials=" + credentials.values()) + "]";
    }

    /** Builds a {@link DockerLauncher}; every setter validates and names the bad value. Not thread-safe. */
    public static final class Builder {
        private final DockerClient client;
        private final String imageTemplate;
        private int containerPort = DEFAULT_CONTAINER_PORT;
        private String hostIp = DEFAULT_HOST_IP;
        private final Map<String, Integer> hostPorts = new LinkedHashMap<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private String network;
        private Healthcheck healthcheck;
        private String stopSignal;
        private boolean init = ContainerSpec.DEFAULT_INIT;
        private PullPolicy pullPolicy = DEFAULT_PULL_POLICY;
        private final Map<String, RegistryCredentials> credentials = new LinkedHashMap<>();
        private PullListener pullListener = PullListener.NONE;

        private Builder(DockerClient client, String imageTemplate) {
            this.client = Arguments.notNull("client", client);
            Arguments.notNull("imageTemplate", imageTemplate);
            if (!imageTemplate.contains(VERSION_PLACEHOLDER)) {
                throw new IllegalArgumentException("imageTemplate '" + Arguments.printable(imageTemplate)
                        + "' is invalid: it must contain " + VERSION_PLACEHOLDER + ", e.g. shop:{version}");
            }
            String sample = imageTemplate.replace(VERSION_PLACEHOLDER, "1.0");
            if (!ImageReference.isValid(sample)) {
                throw new IllegalArgumentException("imageTemplate '" + Arguments.printable(imageTemplate) + "' is invalid: "
                        + "expected an image reference with " + VERSION_PLACEHOLDER + " such as shop:{version} or "
                        + "registry.example:5000/team/shop:{version} (" + sample + " is not valid)");
            }
            this.imageTemplate = imageTemplate;
        }

        /** The port the application listens on inside the container. Default {@link #DEFAULT_CONTAINER_PORT}. */
        public Builder containerPort(int v) {
            containerPort = Arguments.range("containerPort", v, 1, 65535);
            return this;
        }

        /** The host address to publish on. Default {@link #DEFAULT_HOST_IP} (never the whole network by default). */
        public Builder hostIp(String v) {
            hostIp = Arguments.matches("hostIp", v, Validate.HOST_IP, "an IPv4 or IPv6 address such as 127.0.0.1");
            return this;
        }

        /** A fixed host port for targets whose colour (or slot) is {@code colour}; others get an ephemeral port. */
        public Builder hostPort(String colour, int port) {
            Arguments.matches("hostPort colour", colour, Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"),
                    "a colour or slot such as blue");
            hostPorts.put(colour, Arguments.range("hostPort[" + colour + "]", port, 1, 65535));
            return this;
        }

        /** An environment variable of every container; the value may be a secret and is never logged. */
        public Builder env(String key, String value) {
            ContainerSpec.builder("validate").env(key, value);
            env.put(key, value);
            return this;
        }

        /** An extra label of every container (the dev.zdd.* labels are set by the launcher). */
        public Builder label(String key, String value) {
            ContainerSpec.builder("validate").label(key, value);
            if (key.startsWith("dev.zdd.")) {
                throw new IllegalArgumentException("label '" + key + "' is reserved: dev.zdd.* labels are set by the launcher");
            }
            labels.put(key, value);
            return this;
        }

        /** The network, e.g. a user network or {@code host} (then nothing is published). Default: Docker's default. */
        public Builder network(String v) {
            network = Arguments.matches("network", v, Validate.NETWORK, "a network name such as bridge");
            return this;
        }

        /** The container health check read by {@link DockerHealthProbe}. Default: the image's own, if any. */
        public Builder healthcheck(Healthcheck v) {
            healthcheck = Arguments.notNull("healthcheck", v);
            return this;
        }

        /** The stop signal. Default: the image's (usually SIGTERM). */
        public Builder stopSignal(String v) {
            stopSignal = Arguments.matches("stopSignal", v, Validate.SIGNAL, "a signal such as SIGTERM or 15");
            return this;
        }

        /** Whether Docker's init runs as PID 1. Default {@link ContainerSpec#DEFAULT_INIT}. */
        public Builder init(boolean v) {
            init = v;
            return this;
        }

        /** When to pull the image of a version from its registry. Default {@link #DEFAULT_PULL_POLICY}. */
        public Builder pullPolicy(PullPolicy v) {
            pullPolicy = Arguments.notNull("pullPolicy", v);
            return this;
        }

        /**
         * Credentials for pulls from {@link RegistryCredentials#registry()} (one set per registry; a later one for the same
         * registry replaces the earlier). Images of registries without credentials are pulled anonymously. Default: none.
         */
        public Builder registryCredentials(RegistryCredentials v) {
            Arguments.notNull("registryCredentials", v);
            credentials.put(v.registry().toLowerCase(Locale.ROOT), v);
            return this;
        }

        /**
         * Told about the progress of every pull, for example to report it as deployment events (exceptions it throws
         * are logged and ignored). Default {@link PullListener#NONE}.
         */
        public Builder pullListener(PullListener v) {
            pullListener = Arguments.notNull("pullListener", v);
            return this;
        }

        /** Builds; throws when two colours share a fixed host port. */
        public DockerLauncher build() {
            Map<Integer, String> seen = new LinkedHashMap<>();
            hostPorts.forEach((c, p) -> {
                String other = seen.put(p, c);
                if (other != null) {
                    throw new IllegalArgumentException("hostPort " + p + " is given to both " + other + " and " + c);
                }
            });
            return new DockerLauncher(this);
        }
    }
}
