package dev.zdd.nginx;

import dev.zdd.nginx.internal.ProcessRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The default {@link NginxControl}: runs the nginx binary on this machine, from an argument list (never a shell), with
 * a timeout: {@code nginx [-p PREFIX] [-c CONFIG] -t} and {@code nginx [-p PREFIX] [-c CONFIG] -s reload}. The same
 * {@code -p} and {@code -c} as the running master must be given, so that the test reads the real main configuration
 * and the reload finds the master's pid file.
 *
 * <p>Immutable; thread-safe.
 */
public final class LocalNginxControl implements NginxControl {
    /** Default binary: {@code /usr/sbin/nginx} (Debian, Ubuntu, RHEL packages). */
    public static final Path DEFAULT_BINARY = Path.of("/usr/sbin/nginx");
    /** Default limit for one command: 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Path binary;
    private final Path prefix;
    private final Path config;
    private final Duration timeout;

    private LocalNginxControl(Builder b) {
        this.binary = b.binary;
        this.prefix = b.prefix;
        this.config = b.config;
        this.timeout = b.timeout;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Result test() {
        return ProcessRunner.run(command("-t"), timeout);
    }

    @Override
    public Result reload() {
        return ProcessRunner.run(command("-s", "reload"), timeout);
    }

    /** The argument list for nginx with these options followed by {@code args}. */
    public List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        if (prefix != null) {
            cmd.add("-p");
            cmd.add(prefix.toString());
        }
        if (config != null) {
            cmd.add("-c");
            cmd.add(config.toString());
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The main configuration file given with {@code -c}, or {@code null} for nginx's compiled-in default. */
    public Path config() {
        return config;
    }

    @Override
    public String toString() {
        return "LocalNginxControl" + command();
    }

    /** Builds a {@link LocalNginxControl}. Not thread-safe. */
    public static final class Builder {
        private Path binary = DEFAULT_BINARY;
        private Path prefix;
        private Path config;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {
        }

        /** The nginx executable. Default {@link #DEFAULT_BINARY}. */
        public Builder binary(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("binary must not be null");
            }
            binary = value;
            return this;
        }

        /** The prefix ({@code -p}); default none (nginx's compiled-in prefix). */
        public Builder prefix(Path value) {
            prefix = value;
            return this;
        }

        /** The main configuration ({@code -c}); default none (nginx's compiled-in path, e.g. /etc/nginx/nginx.conf). */
        public Builder config(Path value) {
            config = value;
            return this;
        }

        /** Limit for one command. Default {@link #DEFAULT_TIMEOUT}; must be positive. */
        public Builder timeout(Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive, was " + value);
            }
            timeout = value;
            return this;
        }

        /** Builds the control. */
        public LocalNginxControl build() {
            return new LocalNginxControl(this);
        }
    }
}
