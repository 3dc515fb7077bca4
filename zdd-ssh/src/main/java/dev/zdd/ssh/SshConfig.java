package dev.zdd.ssh;

import dev.zdd.api.Arguments;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How zdd connects over SSH: the private key files to authenticate with (OpenSSH format, ed25519 or RSA, without a
 * passphrase), the known_hosts file that every server's host key is checked against, and the bounds on every wait.
 * Only public-key authentication is used (no passwords, no keyboard-interactive). An SSH agent is not supported: the
 * agent protocol over a unix socket needs a native library in Apache MINA SSHD; give the key file instead.
 *
 * <pre>{@code
 * SshConfig config = SshConfig.builder()
 *         .identity(Path.of("/home/deploy/.ssh/id_ed25519"))
 *         .knownHosts(Path.of("/home/deploy/.ssh/known_hosts"))
 *         .build();
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class SshConfig {
    /** Default bound on a TCP connect plus the key exchange: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default bound on authentication: 10 seconds. */
    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(10);
    /** Default bound on one remote command (open, run, exit): 30 seconds. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** Default keep-alive interval on an open connection: 15 seconds. */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(15);
    /** Default number of unanswered keep-alives after which a connection counts as dropped: {@value}. */
    public static final int DEFAULT_KEEP_ALIVE_MAX_MISSED = 3;
    /** Default number of new connection attempts after a failed or dropped one: {@value}. */
    public static final int DEFAULT_RECONNECTS = 2;
    /** Default pause before a new connection attempt: 200 ms (doubled after each failed attempt). */
    public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofMillis(200);

    private final List<Path> identities;
    private final Path knownHosts;
    private final Duration connectTimeout;
    private final Duration authTimeout;
    private final Duration commandTimeout;
    private final Duration keepAlive;
    private final int keepAliveMaxMissed;
    private final int reconnects;
    private final Duration reconnectDelay;

    private SshConfig(Builder b) {
        this.identities = List.copyOf(b.identities);
        this.knownHosts = b.knownHosts;
        this.connectTimeout = b.connectTimeout;
        this.authTimeout = b.authTimeout;
        this.commandTimeout = b.commandTimeout;
        this.keepAlive = b.keepAlive;
        this.keepAliveMaxMissed = b.keepAliveMaxMissed;
        this.reconnects = b.reconnects;
        this.reconnectDelay = b.reconnectDelay;
    }

    /** A builder with the defaults; at least one identity and the known_hosts file are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The private key files, tried in order. */
    public List<Path> identities() {
        return identities;
    }

    /** The known_hosts file (OpenSSH format; hashed entries and {@code [host]:port} entries are understood). */
    public Path knownHosts() {
        return knownHosts;
    }

    /** Bound on connect plus key exchange. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Bound on authentication. */
    public Duration authTimeout() {
        return authTimeout;
    }

    /** Default bound on one remote command. */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** Keep-alive interval. */
    public Duration keepAlive() {
        return keepAlive;
    }

    /** Unanswered keep-alives after which the connection is closed. */
    public int keepAliveMaxMissed() {
        return keepAliveMaxMissed;
    }

    /** New connection attempts after a failed or dropped one. */
    public int reconnects() {
        return reconnects;
    }

    /** Pause before the first new attempt (doubled after each). */
    public Duration reconnectDelay() {
        return reconnectDelay;
    }

    /** Builds an {@link SshConfig}. Not thread-safe. */
    public static final class Builder {
        private final List<Path> identities = new ArrayList<>();
        private Path knownHosts;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration authTimeout = DEFAULT_AUTH_TIMEOUT;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private int keepAliveMaxMissed = DEFAULT_KEEP_ALIVE_MAX_MISSED;
        private int reconnects = DEFAULT_RECONNECTS;
        private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;

        private Builder() {
        }

        /** Adds a private key file (OpenSSH or PEM format, ed25519 or RSA, no passphrase). At least one is required. */
        public Builder identity(Path value) {
            identities.add(Arguments.notNull("ssh.identity", value));
            return this;
        }

        /** Required. The known_hosts file; a host whose key is not in it, or differs from it, is refused. */
        public Builder knownHosts(Path value) {
            knownHosts = Arguments.notNull("ssh.knownHosts", value);
            return this;
        }

        /** Bound on connect plus key exchange. Default {@link #DEFAULT_CONNECT_TIMEOUT}; positive. */
        public Builder connectTimeout(Duration value) {
            connectTimeout = Arguments.positive("ssh.connectTimeout", value);
            return this;
        }

        /** Bound on authentication. Default {@link #DEFAULT_AUTH_TIMEOUT}; positive. */
        public Builder authTimeout(Duration value) {
            authTimeout = Arguments.positive("ssh.authTimeout", value);
            return this;
        }

        /** Default bound on one remote command. Default {@link #DEFAULT_COMMAND_TIMEOUT}; positive. */
        public Builder commandTimeout(Duration value) {
            commandTimeout = Arguments.positive("ssh.commandTimeout", value);
            return this;
        }

        /** Keep-alive interval. Default {@link #DEFAULT_KEEP_ALIVE}; positive. */
        public Builder keepAlive(Duration value) {
            keepAlive = Arguments.positive("ssh.keepAlive", value);
            return this;
        }

        /** Unanswered keep-alives before the connection is closed. Default {@link #DEFAULT_KEEP_ALIVE_MAX_MISSED}; 1-100. */
        public Builder keepAliveMaxMissed(int value) {
            keepAliveMaxMissed = Arguments.range("ssh.keepAliveMaxMissed", value, 1, 100);
            return this;
        }

        /** New connection attempts after a failed or dropped one. Default {@link #DEFAULT_RECONNECTS}; 0-10. */
        public Builder reconnects(int value) {
            reconnects = Arguments.range("ssh.reconnects", value, 0, 10);
            return this;
        }

        /** Pause before the first new attempt. Default {@link #DEFAULT_RECONNECT_DELAY}; not negative. */
        public Builder reconnectDelay(Duration value) {
            reconnectDelay = Arguments.nonNegative("ssh.reconnectDelay", value);
            return this;
        }

        /** Builds the config; throws IllegalArgumentException naming a missing field. */
        public SshConfig build() {
            if (identities.isEmpty()) {
                throw new IllegalArgumentException("ssh.identity is required (a private key file)");
            }
            if (knownHosts == null) {
                throw new IllegalArgumentException("ssh.knownHosts is required (host keys are always verified)");
            }
            return new SshConfig(this);
        }
    }
}
