package dev.zdd.docker;

import dev.zdd.api.Arguments;
import dev.zdd.docker.internal.Validate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link DockerClient#createContainer(ContainerSpec)} creates: image, name, environment, labels, published ports,
 * network, health check, stop signal and timeout, and whether Docker's init runs as PID 1.
 *
 * <p>Immutable; thread-safe. Environment values may be secrets: {@link #toString()} shows their names only, and no
 * part of zdd-docker logs them or puts them in an exception message.
 */
public final class ContainerSpec {
    /** Default for {@link Builder#init(boolean)}: {@code true}, so that SIGTERM reaches a process that ignores it as PID 1. */
    public static final boolean DEFAULT_INIT = true;

    private final String image;
    private final String name;
    private final Map<String, String> env;
    private final Map<String, String> labels;
    private final List<PortBinding> ports;
    private final String network;
    private final Healthcheck healthcheck;
    private final String stopSignal;
    private final Duration stopTimeout;
    private final boolean init;
    private final List<String> cmd;

    private ContainerSpec(Builder b) {
        this.image = b.image;
        this.name = b.name;
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(b.labels));
        this.ports = List.copyOf(b.ports);
        this.network = b.network;
        this.healthcheck = b.healthcheck;
        this.stopSignal = b.stopSignal;
        this.stopTimeout = b.stopTimeout;
        this.init = b.init;
        this.cmd = b.cmd;
    }

    /** A builder for a container of {@code image}. */
    public static Builder builder(String image) {
        return new Builder(image);
    }

    /** The image reference. */
    public String image() {
        return image;
    }

    /** The container name, if set (else Docker picks one). */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** The environment (values may be secrets: never log them). */
    public Map<String, String> env() {
        return env;
    }

    /** The labels. */
    public Map<String, String> labels() {
        return labels;
    }

    /** Published ports (host port 0 = an ephemeral port chosen by Docker). */
    public List<PortBinding> ports() {
        return ports;
    }

    /** The network (Docker's {@code NetworkMode}), if set. */
    public Optional<String> network() {
        return Optional.ofNullable(network);
    }

    /** The health check, if set (else the image's own, if any). */
    public Optional<Healthcheck> healthcheck() {
        return Optional.ofNullable(healthcheck);
    }

    /** The stop signal, if set (else the image's, usually SIGTERM). */
    public Optional<String> stopSignal() {
        return Optional.ofNullable(stopSignal);
    }

    /** The default stop timeout, if set. */
    public Optional<Duration> stopTimeout() {
        return Optional.ofNullable(stopTimeout);
    }

    /** Whether Docker's init runs as PID 1. */
    public boolean init() {
        return init;
    }

    /** The command, if set (else the image's). */
    public Optional<List<String>> cmd() {
        return Optional.ofNullable(cmd);
    }

    /** Shows environment names only, never values. */
    @Override
    public String toString() {
        return "ContainerSpec[image=" + image + (name == null ? "" : ", name=" + name) + ", env=" + env.keySet()
                + ", labels=" + labels + ", ports=" + ports + (network == null ? "" : ", network=" + network)
                + (healthcheck == null ? "" : ", healthcheck=" + healthcheck.test()) + ", init=" + init + "]";
    }

    /** Builds a {@link ContainerSpec}; every setter validates and names the bad value. Not thread-safe. */
    public static final class Builder {
        private final String image;
        private String name;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final List<PortBinding> ports = new ArrayList<>();
        private String network;
        private Healthcheck healthcheck;
        private String stopSignal;
        private Duration stopTimeout;
        private boolean init = DEFAULT_INIT;
        private List<String> cmd;

        private Builder(String image) {
            ImageReference.parse("container.image", image);
            this.image = image;
        }

        /** The container name. Default: none (Docker picks one). */
        public Builder name(String v) {
            name = Arguments.matches("container.name", v, Validate.CONTAINER_NAME,
                    "letters, digits, '_', '.' or '-', starting with a letter or digit, at most 128");
            return this;
        }

        /** Adds an environment variable; the value may be a secret and is never logged. */
        public Builder env(String key, String value) {
            Arguments.matches("container.env name", key, Validate.ENV_NAME, "a variable name such as DB_PASSWORD");
            Arguments.notNull("container.env[" + key + "]", value);
            if (value.indexOf('\0') >= 0) {
                // the value itself is not shown: it may be a secret
                throw new IllegalArgumentException("container.env[" + key + "] must not contain NUL");
            }
            env.put(key, value);
            return this;
        }

        /** Adds every entry of {@code vars} as {@link #env(String, String)} does. */
        public Builder env(Map<String, String> vars) {
            Arguments.notNull("container.env", vars).forEach(this::env);
            return this;
        }

        /** Adds a label. */
        public Builder label(String key, String value) {
            Arguments.matches("container.label key", key, Validate.LABEL_KEY, "a key such as dev.zdd.service");
            Validate.noControl("container.label[" + key + "]", value);
            labels.put(key, value);
            return this;
        }

        /** Adds every entry of {@code values} as {@link #label(String, String)} does. */
        public Builder labels(Map<String, String> values) {
            Arguments.notNull("container.labels", values).forEach(this::label);
            return this;
        }

        /** Publishes {@code containerPort}/tcp on {@code hostIp:hostPort}; host port 0 lets Docker choose one. */
        public Builder publish(int containerPort, String hostIp, int hostPort) {
            Arguments.range("container.port", containerPort, 1, 65535);
            Arguments.matches("container.hostIp", hostIp, Validate.HOST_IP, "an IPv4 or IPv6 address such as 127.0.0.1");
            Arguments.range("container.hostPort", hostPort, 0, 65535);
            ports.add(new PortBinding(containerPort, "tcp", hostIp, hostPort));
            return this;
        }

        /** The network ({@code bridge}, {@code host}, {@code none} or a user network). Default: Docker's default. */
        public Builder network(String v) {
            network = Arguments.matches("container.network", v, Validate.NETWORK, "a network name such as bridge");
            return this;
        }

        /** The health check. Default: the image's own, if any. */
        public Builder healthcheck(Healthcheck v) {
            healthcheck = Arguments.notNull("container.healthcheck", v);
            return this;
        }

        /** The stop signal, e.g. {@code SIGTERM}. Default: the image's. */
        public Builder stopSignal(String v) {
            stopSignal = Arguments.matches("container.stopSignal", v, Validate.SIGNAL, "a signal such as SIGTERM or 15");
            return this;
        }

        /** The default grace of {@code docker stop} for this container, whole seconds. Default: Docker's (10 s). */
        public Builder stopTimeout(Duration v) {
            stopTimeout = Arguments.nonNegative("container.stopTimeout", v);
            return this;
        }

        /** Whether Docker's init runs as PID 1 and forwards signals. Default {@link #DEFAULT_INIT}. */
        public Builder init(boolean v) {
            init = v;
            return this;
        }

        /** The command (program and arguments). Default: the image's. */
        public Builder cmd(List<String> v) {
            Arguments.notNull("container.cmd", v);
            for (int i = 0; i < v.size(); i++) {
                Arguments.notNull("container.cmd[" + i + "]", v.get(i));
            }
            cmd = List.copyOf(v);
            return this;
        }

        /** Builds. */
        public ContainerSpec build() {
            return new ContainerSpec(this);
        }
    }
}
