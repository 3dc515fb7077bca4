package dev.zdd.ssh.testing;

import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.router.CompositeRouter;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.ssh.RemotePath;
import dev.zdd.ssh.SpreadLauncher;
import dev.zdd.ssh.SshClientPool;
import dev.zdd.ssh.SshFiles;
import dev.zdd.ssh.SshProcessLauncher;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The classic two-nginx topology on simulated hosts: hosts 1 and 2 run nginx, hosts 3 and 4 run the app (busybox
 * {@code httpd} serving a page that holds its version, one process per target, started over SSH by an
 * {@link SshProcessLauncher} per app host, spread by a {@link SpreadLauncher}). {@link #start} launches the initial
 * version as {@code <service>-blue-1} and {@code -2}, one per app host, and starts both nginx in front of them.
 * {@link #router()} switches both nginx all or nothing, in parallel. For tests, demos and benchmarks; not thread-safe.
 */
public final class TestTopology implements AutoCloseable {
    private final TestSshLab lab;
    private final SshClientPool pool;
    private final String service;
    private final List<TestRemoteNginx> nginx = new ArrayList<>();
    private final List<SshProcessLauncher> launchers = new ArrayList<>();
    private final SpreadLauncher spread;
    private Routing initial;

    private TestTopology(TestSshLab lab, String service, List<String> versions) throws IOException {
        this.lab = lab;
        this.pool = lab.pool();
        this.service = service;
        for (int i = 2; i < 4; i++) {
            TestSshHost app = lab.host(i);
            SshFiles files = new SshFiles(pool, app.sshHost(), Duration.ofSeconds(10));
            for (String v : versions) {
                files.write(RemotePath.of(app.workDir() + "/www/" + v + "/index.html"), v + "\n");
            }
            launchers.add(launcherBuilder(app).build());
        }
        this.spread = SpreadLauncher.of(launchers.toArray(SshProcessLauncher[]::new));
    }

    /** The launcher builder used for an app host (busybox httpd on the host's address, state in its work dir). */
    private SshProcessLauncher.Builder launcherBuilder(TestSshHost app) {
        return SshProcessLauncher.builder(pool, app.sshHost())
                .command("busybox", "httpd", "-f", "-p", "{host}:{port}", "-h", app.workDir() + "/www/{version}")
                .portRange(8081, 8099)
                .stateDirectory(RemotePath.of(app.workDir() + "/zdd"))
                .startupCheck(Duration.ofMillis(200));
    }

    /**
     * Starts four hosts (users {@code zddhost<firstUser>}..+3), the initial version on both app hosts and nginx on
     * both nginx hosts. Empty when sshd, nginx or busybox is missing and integration is not required.
     */
    public static Optional<TestTopology> start(String service, String initialVersion, List<String> versions,
                                               int firstUser) throws IOException {
        if (IntegrationEnvironment.find("nginx", "apt-get install nginx").isEmpty()
                || IntegrationEnvironment.find("busybox", "apt-get install busybox-static").isEmpty()) {
            return Optional.empty();
        }
        Optional<TestSshLab> lab = TestSshLab.create(4, firstUser);
        if (lab.isEmpty()) {
            return Optional.empty();
        }
        TestTopology t = null;
        try {
            t = new TestTopology(lab.get(), service, versions);
            List<Route> routes = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                Target target = t.spread.launch(new LaunchRequest(service, service + "-blue-" + i, initialVersion,
                        Map.of(Target.COLOUR, "blue")));
                routes.add(Route.active(target, 5000));
            }
            t.initial = Routing.of(routes.toArray(Route[]::new));
            for (int i = 0; i < 2; i++) {
                t.nginx.add(TestRemoteNginx.start(t.pool, t.lab.host(i), service, t.initial));
            }
            return Optional.of(t);
        } catch (IOException | RuntimeException e) {
            if (t != null) {
                t.close();
            } else {
                lab.get().close();
            }
            throw e;
        }
    }

    /** The lab (hosts, keys, known_hosts). */
    public TestSshLab lab() {
        return lab;
    }

    /** The pool the topology uses. */
    public SshClientPool pool() {
        return pool;
    }

    /** nginx {@code i} (0 or 1). */
    public TestRemoteNginx nginx(int i) {
        return nginx.get(i);
    }

    /** Both nginx, all or nothing, in parallel. */
    public TrafficRouter router() {
        return CompositeRouter.allOrNothing(nginx.get(0).router(), nginx.get(1).router());
    }

    /** The app hosts' launcher. */
    public SpreadLauncher launcher() {
        return spread;
    }

    /** The launcher of app host {@code i} (0 or 1). */
    public SshProcessLauncher appLauncher(int i) {
        return launchers.get(i);
    }

    /** The routing at start (the initial version, both app hosts). */
    public Routing initialRouting() {
        return initial;
    }

    /**
     * What another process needs to reach this topology (for example a deployer in a child JVM): key, known_hosts,
     * service, and per host the SSH address and paths. Read back with {@link #attach(Properties)}.
     */
    public Properties describe() {
        Properties p = new Properties();
        p.setProperty("key", lab.clientKey().toString());
        p.setProperty("knownHosts", lab.knownHosts().toString());
        p.setProperty("service", service);
        for (int i = 0; i < 2; i++) {
            TestRemoteNginx n = nginx.get(i);
            p.setProperty("nginx" + i + ".ssh", n.host().sshHost().user() + "@" + n.host().address() + ":"
                    + n.host().port());
            p.setProperty("nginx" + i + ".prefix", n.prefix().value());
            p.setProperty("nginx" + i + ".status", n.router().status().host() + ":" + n.router().status().port());
            TestSshHost app = lab.host(2 + i);
            p.setProperty("app" + i + ".ssh", app.sshHost().user() + "@" + app.address() + ":" + app.port());
            p.setProperty("app" + i + ".workDir", app.workDir().toString());
        }
        return p;
    }

    /**
     * The router and launcher of a topology {@link #describe() described} by another process. Thread-safe; closing it
     * closes its pool.
     */
    public record Attached(SshClientPool pool, TrafficRouter router, SpreadLauncher launcher) implements AutoCloseable {
        @Override
        public void close() {
            pool.close();
        }
    }

    /** Reaches a topology described by {@link #describe()} with a pool of its own. */
    public static Attached attach(Properties p) {
        SshClientPool pool = SshClientPool.open(dev.zdd.ssh.SshConfig.builder()
                .identity(java.nio.file.Path.of(p.getProperty("key")))
                .knownHosts(java.nio.file.Path.of(p.getProperty("knownHosts"))).build());
        String service = p.getProperty("service");
        List<TrafficRouter> routers = new ArrayList<>();
        List<SshProcessLauncher> apps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String[] st = p.getProperty("nginx" + i + ".status").split(":");
            routers.add(TestRemoteNginx.router(pool, sshHost(p.getProperty("nginx" + i + ".ssh")), service,
                    RemotePath.of(p.getProperty("nginx" + i + ".prefix")),
                    dev.zdd.api.Endpoint.of(st[0], Integer.parseInt(st[1]))));
            String workDir = p.getProperty("app" + i + ".workDir");
            apps.add(SshProcessLauncher.builder(pool, sshHost(p.getProperty("app" + i + ".ssh")))
                    .command("busybox", "httpd", "-f", "-p", "{host}:{port}", "-h", workDir + "/www/{version}")
                    .portRange(8081, 8099).stateDirectory(RemotePath.of(workDir + "/zdd"))
                    .startupCheck(Duration.ofMillis(200)).build());
        }
        return new Attached(pool, CompositeRouter.allOrNothing(routers.get(0), routers.get(1)),
                SpreadLauncher.of(apps.toArray(SshProcessLauncher[]::new)));
    }

    private static dev.zdd.ssh.SshHost sshHost(String userAtHostPort) {
        int at = userAtHostPort.indexOf('@');
        int colon = userAtHostPort.lastIndexOf(':');
        return dev.zdd.ssh.SshHost.of(userAtHostPort.substring(0, at), userAtHostPort.substring(at + 1, colon),
                Integer.parseInt(userAtHostPort.substring(colon + 1)));
    }

    /** Stops nginx, every app process the launchers know of, sshd, and removes the files. */
    @Override
    public void close() {
        nginx.forEach(TestRemoteNginx::close);
        for (SshProcessLauncher l : launchers) {
            try {
                l.inventory(service).forEach(i -> l.retire(i.target(), Duration.ZERO));
            } catch (RuntimeException e) {
                System.err.println("cleaning " + l + ": " + e.getMessage());
            }
        }
        lab.close();
    }
}
