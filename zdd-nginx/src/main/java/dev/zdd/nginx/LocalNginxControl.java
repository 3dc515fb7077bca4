package dev.zdd.nginx;

import dev.zdd.api.Arguments;
import dev.zdd.nginx.internal.ProcessRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * <p>With {@link Builder#pidFile(Path)}, {@link #reload()} signals the master directly ({@code kill -s HUP <pid>},
 * which is all that {@code nginx -s reload} does after parsing the whole configuration once more): one nginx start
 * fewer per switch. It does so only when the pid file holds a number and {@code /proc/<pid>/cmdline} shows an nginx
 * master process; in every other case (no pid file, stale pid, no {@code /proc}) it runs {@code nginx -s reload} as
 * without the option, so nginx itself reports the problem. The master parses and tests the configuration on SIGHUP
 * either way and keeps the old one if that fails; {@link NginxRouter} runs {@code nginx -t} before every reload.
 *
 * <p>Immutable; thread-safe.
 */
public final class LocalNginxControl implements NginxControl {
    /** Default binary: {@code /usr/sbin/nginx} (Debian, Ubuntu, RHEL packages). */
    public static final Path DEFAULT_BINARY = Path.of("/usr/sbin/nginx");
    /** Default limit for one command: 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Default program that signals the master when a pid file is given: {@code /bin/kill}. */
    public static final Path DEFAULT_KILL_BINARY = Path.of("/bin/kill");
    private static final int MAX_PID_FILE = 64;

    private final Path binary;
    private final Path prefix;
    private final Path config;
    private final Duration timeout;
    private final Path pidFile;
    private final Path killBinary;

    private LocalNginxControl(Builder b) {
        this.binary = b.binary;
        this.prefix = b.prefix;
        this.config = b.config;
        this.timeout = b.timeout;
        this.pidFile = b.pidFile;
        this.killBinary = b.killBinary;
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
        String pid = masterPid();
        if (pid != null) {
            return ProcessRunner.run(List.of(killBinary.toString(), "-s", "HUP", pid), timeout);
        }
        return ProcessRunner.run(command("-s", "reload"), timeout);
    }

    /** The master's pid when a pid file is configured and names a running nginx master, else {@code null}. */
    private String masterPid() {
        if (pidFile == null) {
            return null;
        }
        try {
            if (Files.size(pidFile) > MAX_PID_FILE) {
                return null;
            }
            String pid = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
            if (!pid.matches("[1-9][0-9]{0,9}")) {
                return null;
            }
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", pid, "cmdline"));
            String title = new String(cmdline, StandardCharsets.ISO_8859_1);
            return title.startsWith("nginx: master process") ? pid : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
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

    /** The master's pid file given with {@link Builder#pidFile(Path)}, or {@code null}. */
    public Path pidFile() {
        return pidFile;
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
        private Path pidFile;
        private Path killBinary = DEFAULT_KILL_BINARY;

        private Builder() {
        }

        /** The nginx executable. Default {@link #DEFAULT_BINARY}. */
        public Builder binary(Path value) {
            binary = Arguments.notNull("binary", value);
            return this;
        }

        /** The prefix ({@code -p}); default none (nginx's compiled-in prefix). */
        public Builder prefix(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("prefix must not be null (leave it unset for none)");
            }
            prefix = value;
            return this;
        }

        /** The main configuration ({@code -c}); default none (nginx's compiled-in path, e.g. /etc/nginx/nginx.conf). */
        public Builder config(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("config must not be null (leave it unset for none)");
            }
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

        /**
         * The running master's pid file (the {@code pid} directive of the main configuration). Default none: reload
         * runs {@code nginx -s reload}. When given, reload signals the master directly (see the class comment).
         */
        public Builder pidFile(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("pidFile must not be null (leave it unset for none)");
            }
            pidFile = value;
            return this;
        }

        /** The program that sends SIGHUP when a pid file is given. Default {@link #DEFAULT_KILL_BINARY}. */
        public Builder killBinary(Path value) {
            killBinary = Arguments.notNull("killBinary", value);
            return this;
        }

        /** Builds the control. */
        public LocalNginxControl build() {
            return new LocalNginxControl(this);
        }
    }
}
