package dev.zdd.docker;

import dev.zdd.api.Arguments;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.HealthStatus;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads a container's own HEALTHCHECK verdict ({@code State.Health.Status}) through the Docker Engine API: healthy is
 * HEALTHY, unhealthy is UNHEALTHY (with the last check's output as reason), starting is UNKNOWN. The engine's
 * {@link dev.zdd.api.ProbePolicy} still decides how often to ask and when to give up.
 *
 * <p>A container that exited, died, is restarting, paused or gone is UNHEALTHY at once, and the reason carries its
 * exit code and its last log lines (what a person needs to see why a deployment was rolled back; note that the
 * application's own output is shown as is). A running container without a HEALTHCHECK answers
 * {@link Builder#withoutHealthcheck(HealthStatus)} (default UNKNOWN: pair it with an HTTP probe then).
 *
 * <p>The container is found by the target's {@value DockerLauncher#CONTAINER_ATTRIBUTE} attribute (set by
 * {@link DockerLauncher}), else by its {@value DockerLauncher#TARGET_LABEL} and {@value DockerLauncher#VERSION_LABEL}
 * labels. Each check is one or two API calls bounded by the client's timeouts. Immutable and thread-safe.
 */
public final class DockerHealthProbe implements HealthProbe {
    /** Default number of log lines put in the reason of an exited container: 20. */
    public static final int DEFAULT_LOG_LINES = 20;
    /** Default answer for a running container without a HEALTHCHECK: UNKNOWN. */
    public static final HealthStatus DEFAULT_WITHOUT_HEALTHCHECK = HealthStatus.UNKNOWN;

    private final DockerClient client;
    private final int logLines;
    private final HealthStatus withoutHealthcheck;

    private DockerHealthProbe(Builder b) {
        this.client = b.client;
        this.logLines = b.logLines;
        this.withoutHealthcheck = b.withoutHealthcheck;
    }

    /** A probe with every default. */
    public static DockerHealthProbe of(DockerClient client) {
        return builder(client).build();
    }

    /** A builder. */
    public static Builder builder(DockerClient client) {
        return new Builder(client);
    }

    @Override
    public HealthResult check(Target target, Duration timeout) {
        String ref = target.attribute(DockerLauncher.CONTAINER_ATTRIBUTE);
        if (ref == null) {
            List<ContainerSummary> found = client.listContainers(
                    Map.of(DockerLauncher.TARGET_LABEL, target.id(), DockerLauncher.VERSION_LABEL, target.version()), true);
            if (found.isEmpty()) {
                return HealthResult.unhealthy("no container for target " + target.id() + " version " + target.version());
            }
            ref = found.get(0).id();
        }
        ContainerInfo info;
        try {
            info = client.inspectContainer(ref);
        } catch (DockerException e) {
            if (e.isNotFound()) {
                return HealthResult.unhealthy("container " + ref + " of " + target.id() + " does not exist any more");
            }
            throw e;
        }
        return switch (info.status()) {
            case "running" -> running(info);
            case "created" -> HealthResult.unknown("container " + info.name() + " is created but not started yet");
            case "exited", "dead" -> HealthResult.unhealthy("container " + info.name() + " " + info.status()
                    + " with code " + info.exitCode() + (info.oomKilled() ? " (killed: out of memory)" : "")
                    + (info.error().isEmpty() ? "" : " (" + info.error() + ")") + logs(info));
            default -> HealthResult.unhealthy("container " + info.name() + " is " + info.status()
                    + (info.exitCode() != 0 ? " after exit code " + info.exitCode() : "") + logs(info));
        };
    }

    private HealthResult running(ContainerInfo info) {
        return switch (info.health()) {
            case "healthy" -> HealthResult.healthy();
            case "unhealthy" -> HealthResult.unhealthy("container " + info.name() + " is unhealthy"
                    + (info.lastHealthOutput().isEmpty() ? "" : ": last check " + info.lastHealthOutput()));
            case "starting" -> HealthResult.unknown("container " + info.name() + ": health check starting");
            case ContainerInfo.NO_HEALTHCHECK -> new HealthResult(withoutHealthcheck,
                    withoutHealthcheck == HealthStatus.HEALTHY ? "" : "container " + info.name() + " is running and has no HEALTHCHECK");
            default -> HealthResult.unknown("container " + info.name() + ": health '" + info.health() + "'");
        };
    }

    private String logs(ContainerInfo info) {
        return lastLogs(client, info.id(), logLines);
    }

    /** {@code "; last log lines:\n..."} for a reason or a message, or why there are none. */
    static String lastLogs(DockerClient client, String id, int logLines) {
        try {
            String text = client.logs(id, logLines).strip();
            return text.isEmpty() ? "; no log output" : "; last log lines:\n" + text;
        } catch (DockerException e) {
            return "; logs unavailable: " + e.dockerMessage();
        }
    }

    @Override
    public String toString() {
        return "DockerHealthProbe[" + client.host() + "]";
    }

    /** Builds a {@link DockerHealthProbe}. Not thread-safe. */
    public static final class Builder {
        private final DockerClient client;
        private int logLines = DEFAULT_LOG_LINES;
        private HealthStatus withoutHealthcheck = DEFAULT_WITHOUT_HEALTHCHECK;

        private Builder(DockerClient client) {
            this.client = Arguments.notNull("client", client);
        }

        /** Log lines in the reason of a stopped container, 1 to 1000. Default {@link #DEFAULT_LOG_LINES}. */
        public Builder logLines(int v) {
            logLines = Arguments.range("logLines", v, 1, 1000);
            return this;
        }

        /** The answer for a running container without a HEALTHCHECK. Default {@link #DEFAULT_WITHOUT_HEALTHCHECK}. */
        public Builder withoutHealthcheck(HealthStatus v) {
            withoutHealthcheck = Arguments.notNull("withoutHealthcheck", v);
            return this;
        }

        /** Builds. */
        public DockerHealthProbe build() {
            return new DockerHealthProbe(this);
        }
    }
}
