package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.nginx.NginxControl;
import dev.zdd.ssh.internal.Shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link NginxControl} for nginx on another host: runs {@code nginx [-p PREFIX] [-c CONFIG] [-e LOG] -t} and
 * {@code ... -s reload} there over SSH, each bounded by a timeout, optionally through {@code sudo -n} (never
 * prompting). With {@link Builder#pidFile(RemotePath)} a reload signals the master directly ({@code kill -HUP}) when
 * the pid file names a live {@code nginx: master} process, else it runs {@code nginx -s reload}. Every part is a
 * validated {@link RemotePath} and single-quoted. A connection that fails or drops is reported as a failed
 * {@link Result} (exit {@value #SSH_FAILED}) with the reason, never thrown, so that {@code NginxRouter} undoes.
 *
 * <pre>{@code
 * NginxControl control = SshNginxControl.builder(pool, SshHost.of("deploy", "nginx1.example.net", 22))
 *         .sudo(true)   // when the deploy user may run only nginx through sudo
 *         .build();
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class SshNginxControl implements NginxControl {
    /** Default nginx binary on the host: {@code /usr/sbin/nginx}. */
    public static final RemotePath DEFAULT_BINARY = RemotePath.of("/usr/sbin/nginx");
    /** Default bound on one command (connect included): 15 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /** Exit code reported when the SSH connection failed or dropped: {@value}. */
    public static final int SSH_FAILED = 255;

    private final SshClientPool pool;
    private final SshHost host;
    private final RemotePath binary;
    private final RemotePath prefix;
    private final RemotePath config;
    private final RemotePath errorLog;
    private final RemotePath pidFile;
    private final boolean sudo;
    private final Duration timeout;

    private SshNginxControl(Builder b) {
        this.pool = b.pool;
        this.host = b.host;
        this.binary = b.binary;
        this.prefix = b.prefix;
        this.config = b.config;
        this.errorLog = b.errorLog;
        this.pidFile = b.pidFile;
        this.sudo = b.sudo;
        this.timeout = b.timeout;
    }

    /** A builder for nginx on {@code host}. */
    public static Builder builder(SshClientPool pool, SshHost host) {
        return new Builder(pool, host);
    }

    @Override
    public Result test() {
        return run(line(command("-t")));
    }

    @Override
    public Result reload() {
        String reload = line(command("-s", "reload"));
        if (pidFile == null) {
            return run(reload);
        }
        String kill = (sudo ? "sudo -n " : "") + "kill -s HUP \"$p\"";
        String script = "p=$(head -c 64 " + Shell.quote(pidFile.value()) + " 2>/dev/null | tr -d ' \\n'); "
                + "case \"$p\" in ''|*[!0-9]*) ;; *) if tr '\\0' ' ' < /proc/\"$p\"/cmdline 2>/dev/null"
                + " | grep -q '^nginx: master process'; then exec " + kill + "; fi;; esac; exec " + reload;
        return run(script);
    }

    /** The nginx argument list for {@code args} (without sudo). */
    public List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.value());
        if (prefix != null) {
            cmd.add("-p");
            cmd.add(prefix.value());
        }
        if (config != null) {
            cmd.add("-c");
            cmd.add(config.value());
        }
        if (errorLog != null) {
            cmd.add("-e");
            cmd.add(errorLog.value());
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String line(List<String> cmd) {
        return (sudo ? "exec sudo -n " : "exec ") + Shell.join(cmd) + " 2>&1";
    }

    private Result run(String script) {
        try {
            ExecResult r = pool.run(host, script, null, timeout);
            return new Result(r.exitCode(), r.output());
        } catch (SshException e) {
            return new Result(SSH_FAILED, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "SshNginxControl[" + host + " " + (sudo ? "sudo " : "") + String.join(" ", command()) + "]";
    }

    /** Builds an {@link SshNginxControl}. Not thread-safe. */
    public static final class Builder {
        private final SshClientPool pool;
        private final SshHost host;
        private RemotePath binary = DEFAULT_BINARY;
        private RemotePath prefix;
        private RemotePath config;
        private RemotePath errorLog;
        private RemotePath pidFile;
        private boolean sudo;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder(SshClientPool pool, SshHost host) {
            this.pool = Arguments.notNull("pool", pool);
            this.host = Arguments.notNull("host", host);
        }

        /** The nginx binary on the host. Default {@link #DEFAULT_BINARY}. */
        public Builder binary(RemotePath value) {
            binary = Arguments.notNull("binary", value);
            return this;
        }

        /** The prefix ({@code -p}) the running master was started with; default none. */
        public Builder prefix(RemotePath value) {
            prefix = Arguments.notNull("prefix", value);
            return this;
        }

        /** The main configuration ({@code -c}) the running master was started with; default none. */
        public Builder config(RemotePath value) {
            config = Arguments.notNull("config", value);
            return this;
        }

        /** The error log for nginx's own start-up messages ({@code -e}, nginx 1.19.5+); default none. */
        public Builder errorLog(RemotePath value) {
            errorLog = Arguments.notNull("errorLog", value);
            return this;
        }

        /** The master's pid file: reload then signals it directly when it is a live nginx master. Default none. */
        public Builder pidFile(RemotePath value) {
            pidFile = Arguments.notNull("pidFile", value);
            return this;
        }

        /** Run nginx (and kill) through {@code sudo -n}: it fails instead of prompting. Default false. */
        public Builder sudo(boolean value) {
            sudo = value;
            return this;
        }

        /** Bound on one command, connect included. Default {@link #DEFAULT_TIMEOUT}; positive. */
        public Builder timeout(Duration value) {
            timeout = Arguments.positive("timeout", value);
            return this;
        }

        /** Builds the control. */
        public SshNginxControl build() {
            return new SshNginxControl(this);
        }
    }
}
