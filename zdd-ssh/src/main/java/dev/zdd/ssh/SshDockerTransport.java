package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.docker.DockerTransport;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Docker over ssh, what {@code DOCKER_HOST=ssh://user@host} does: each connection is an SSH exec channel running
 * {@code docker system dial-stdio} on the remote host, whose standard input and output are the HTTP connection to
 * that host's daemon. Use it with {@code DockerClient.builder().transport(...)}; {@code DockerLauncher} and
 * {@code DockerHealthProbe} then work on the remote host unchanged.
 *
 * <pre>{@code
 * DockerClient docker = DockerClient.builder()
 *         .transport(SshDockerTransport.builder(pool, SshHost.of("deploy", "app1.example.net", 22)).build())
 *         .build();
 * }</pre>
 *
 * <p>The remote user must be allowed to use the daemon (member of the {@code docker} group, or root) and the docker CLI
 * (18.09 or later) must be on its PATH (or given with {@link Builder#docker(String)}). The SSH connection is shared
 * with everything else the {@link SshClientPool} does on that host; every Docker connection is a channel of its own,
 * whose reads honour {@link Socket#setSoTimeout(int)} and whose {@code close()} wakes a blocked read.
 *
 * <p>Immutable; thread-safe.
 */
public final class SshDockerTransport implements DockerTransport {
    /** The daemon address the remote CLI is given with {@code -H}: {@code unix:///path} or {@code tcp://host:port}. */
    public static final Pattern DOCKER_HOST = Pattern.compile("unix:///[A-Za-z0-9._/+@-]{1,200}|tcp://[A-Za-z0-9.:-]{1,200}");
    /** Default docker CLI: {@code docker} from the remote PATH. */
    public static final String DEFAULT_DOCKER = "docker";

    private final SshClientPool pool;
    private final SshHost host;
    private final RemoteCommand command;

    private SshDockerTransport(Builder b) {
        this.pool = b.pool;
        this.host = b.host;
        List<String> cmd = new ArrayList<>();
        cmd.add(b.docker);
        if (b.dockerHost != null) {
            cmd.add("-H");
            cmd.add(b.dockerHost);
        }
        cmd.add("system");
        cmd.add("dial-stdio");
        this.command = RemoteCommand.of(cmd);
    }

    /** A builder for the daemon on {@code host}. */
    public static Builder builder(SshClientPool pool, SshHost host) {
        return new Builder(pool, host);
    }

    @Override
    public Socket connect(Duration connectTimeout) throws IOException {
        return pool.execSocket(host, command, connectTimeout);
    }

    @Override
    public String address() {
        return "ssh://" + host.user() + "@" + host.host() + ":" + host.port();
    }

    /** The remote command each connection runs. */
    public RemoteCommand command() {
        return command;
    }

    @Override
    public String toString() {
        return "SshDockerTransport[" + address() + ", " + command + "]";
    }

    /** Builds an {@link SshDockerTransport}. Not thread-safe. */
    public static final class Builder {
        private final SshClientPool pool;
        private final SshHost host;
        private String docker = DEFAULT_DOCKER;
        private String dockerHost;

        private Builder(SshClientPool pool, SshHost host) {
            this.pool = Arguments.notNull("pool", pool);
            this.host = Arguments.notNull("host", host);
        }

        /** The docker CLI on the host: an absolute path or a program name. Default {@link #DEFAULT_DOCKER}. */
        public Builder docker(String value) {
            docker = RemoteCommand.checkProgram("docker", value);
            return this;
        }

        /**
         * The daemon the remote CLI talks to ({@code -H}), when it is not the host's default: {@code unix:///path} or
         * {@code tcp://host:port}, matching {@link #DOCKER_HOST}. Default none.
         */
        public Builder dockerHost(String value) {
            dockerHost = Arguments.matches("dockerHost", value, DOCKER_HOST, "unix:///path or tcp://host:port");
            return this;
        }

        /** Builds the transport. */
        public SshDockerTransport build() {
            return new SshDockerTransport(this);
        }
    }
}
