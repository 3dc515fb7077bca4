package dev.zdd.ssh.testing;

import dev.zdd.api.Endpoint;
import dev.zdd.api.Routing;
import dev.zdd.nginx.NginxRouter;
import dev.zdd.ssh.ExecResult;
import dev.zdd.ssh.RemoteCommand;
import dev.zdd.ssh.RemotePath;
import dev.zdd.ssh.SshClientPool;
import dev.zdd.ssh.SshFiles;
import dev.zdd.ssh.SshNginx;
import dev.zdd.ssh.SshNginxControl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * A throwaway real nginx on a simulated host ({@link TestSshHost}), set up and started only over SSH, as the host's
 * own user: its prefix directory in the host's work directory, a main configuration that includes one zdd include
 * file in {@code http { }} and proxies {@code host-address:port} to {@code $zdd_NAME_upstream}, and a status port for
 * the router on the host's address (reached through SSH). {@link #router()} is a plain {@code NginxRouter} wired with
 * zdd-ssh's store, connector and control. Start and close from one thread.
 */
public final class TestRemoteNginx implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final SshClientPool pool;
    private final TestSshHost host;
    private final String name;
    private final RemotePath prefix;
    private final int port;
    private final int statusPort;
    private final SshNginxControl control;
    private final NginxRouter router;
    private final boolean scripted;

    private TestRemoteNginx(SshClientPool pool, TestSshHost host, String name, boolean scripted) throws IOException {
        this.pool = pool;
        this.scripted = scripted;
        this.host = host;
        this.name = name;
        this.prefix = RemotePath.of(host.workDir() + "/nginx-" + name);
        this.port = TestSshHost.freePort(host.address());
        this.statusPort = TestSshHost.freePort(host.address());
        this.control = control(pool, host.sshHost(), prefix);
        this.router = router(pool, host.sshHost(), name, prefix, Endpoint.of(host.address(), statusPort));
    }

    /** The control for an nginx set up like this class does, with prefix {@code prefix} on {@code host}. */
    public static SshNginxControl control(SshClientPool pool, dev.zdd.ssh.SshHost host, RemotePath prefix) {
        return SshNginxControl.builder(pool, host).prefix(prefix).config(prefix.resolve("nginx.conf"))
                .errorLog(prefix.resolve("error.log")).pidFile(prefix.resolve("nginx.pid")).build();
    }

    /**
     * A router for an nginx set up like this class does (for example from another process that reaches the same
     * host): include file {@code zdd-NAME.conf} in {@code prefix}, status server at {@code status}.
     */
    public static NginxRouter router(SshClientPool pool, dev.zdd.ssh.SshHost host, String name, RemotePath prefix,
                                     Endpoint status) {
        return SshNginx.routerBuilder(pool, host, prefix.resolve("zdd-" + name + ".conf")).name(name).status(status)
                .control(control(pool, host, prefix)).build();
    }

    /** Writes the configuration and {@code initial} routing to the host, starts nginx there, waits until it answers. */
    public static TestRemoteNginx start(SshClientPool pool, TestSshHost host, String name, Routing initial)
            throws IOException {
        return start(pool, host, name, initial, null);
    }

    /**
     * An nginx switched the way a deploy script does it: its main configuration proxies to {@code http://NAME_raw}, an
     * upstream defined in a hand-written include ({@link #includeFile()}) that starts as {@code includeText}; zdd's
     * router is not used on it.
     */
    public static TestRemoteNginx startScripted(SshClientPool pool, TestSshHost host, String name, String includeText)
            throws IOException {
        return start(pool, host, name, null, includeText);
    }

    private static TestRemoteNginx start(SshClientPool pool, TestSshHost host, String name, Routing initial,
                                         String scriptedInclude) throws IOException {
        TestRemoteNginx n = new TestRemoteNginx(pool, host, name, scriptedInclude != null);
        SshFiles files = new SshFiles(pool, host.sshHost(), TIMEOUT);
        files.write(n.mainConfig(), n.mainConfigText());
        if (scriptedInclude != null) {
            files.write(n.includeFile(), scriptedInclude);
        } else {
            n.router.writeInitial(initial);
        }
        ExecResult r = pool.exec(host.sshHost(), RemoteCommand.of(n.control.command()).withOutputTo(n.errorLog()), TIMEOUT);
        if (!r.ok()) {
            throw new IOException("nginx did not start on " + host + " (exit " + r.exitCode() + "): " + r.output()
                    + " " + files.read(n.errorLog()));
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host.address(), n.port), 200);
                return n;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("nginx on " + host + " does not answer on " + n.proxy() + ": "
                            + files.read(n.errorLog()), e);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", ie);
                }
            }
        }
    }

    private String mainConfigText() {
        String d = prefix.value();
        return "# generated by zdd's TestRemoteNginx on " + host.name() + "\n"
                + "daemon on;\n"
                + "master_process on;\n"
                + "worker_processes 1;\n"
                + "pid " + pidFile() + ";\n"
                + "error_log " + errorLog() + " notice;\n"
                + "events {\n    worker_connections 1024;\n}\n"
                + "http {\n"
                + "    access_log off;\n"
                + "    client_body_temp_path " + d + "/client_body;\n"
                + "    proxy_temp_path " + d + "/proxy;\n"
                + "    fastcgi_temp_path " + d + "/fastcgi;\n"
                + "    uwsgi_temp_path " + d + "/uwsgi;\n"
                + "    scgi_temp_path " + d + "/scgi;\n"
                + "    include " + includeFile() + ";\n"
                + "    server {\n"
                + "        listen " + host.address() + ":" + port + ";\n"
                + "        location / {\n"
                + "            proxy_pass http://" + (scripted ? name + "_raw" : "$zdd_" + name + "_upstream") + ";\n"
                + "        }\n"
                + "    }\n"
                + "}\n";
    }

    /** The nginx command line (binary, -p, -c, -e) followed by {@code args}, as a script on the host would run it. */
    public java.util.List<String> command(String... args) {
        return control.command(args);
    }

    /** The router for this nginx (zdd reaches it only over SSH). */
    public NginxRouter router() {
        return router;
    }

    /** The control that runs nginx -t and reload on the host. */
    public SshNginxControl control() {
        return control;
    }

    /** The simulated host. */
    public TestSshHost host() {
        return host;
    }

    /** Where clients reach this nginx. */
    public Endpoint proxy() {
        return Endpoint.of(host.address(), port);
    }

    /** The nginx prefix directory on the host. */
    public RemotePath prefix() {
        return prefix;
    }

    /** The main configuration on the host. */
    public RemotePath mainConfig() {
        return prefix.resolve("nginx.conf");
    }

    /** zdd's include file on the host. */
    public RemotePath includeFile() {
        return prefix.resolve("zdd-" + name + ".conf");
    }

    /** The master's pid file on the host. */
    public RemotePath pidFile() {
        return prefix.resolve("nginx.pid");
    }

    /** nginx's error log on the host. */
    public RemotePath errorLog() {
        return prefix.resolve("error.log");
    }

    /** Stops nginx on the host (SIGQUIT to the master through SSH, then SIGKILL from here if it lingers 5 s). */
    @Override
    public void close() {
        String pid = null;
        try {
            String text = new SshFiles(pool, host.sshHost(), Duration.ofSeconds(5)).read(pidFile());
            pid = text == null ? null : text.strip();
            if (pid != null && pid.matches("[1-9][0-9]{0,9}")) {
                pool.exec(host.sshHost(), RemoteCommand.of("kill", "-QUIT", pid), Duration.ofSeconds(5));
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the local kill
        }
        if (pid == null || !pid.matches("[1-9][0-9]{0,9}")) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
            java.util.List<ProcessHandle> workers = h.descendants().toList();
            try {
                h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
            workers.forEach(ProcessHandle::destroyForcibly);
        });
    }

    @Override
    public String toString() {
        return "nginx " + name + " on " + host;
    }
}
