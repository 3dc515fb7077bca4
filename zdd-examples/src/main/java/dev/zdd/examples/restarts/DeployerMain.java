package dev.zdd.examples.restarts;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Endpoint;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.Target;
import dev.zdd.api.TargetInventory;
import dev.zdd.api.TargetLauncher;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.journal.FileJournalStore;
import dev.zdd.core.journal.RecoveryMode;
import dev.zdd.core.launch.ProcessLauncher;
import dev.zdd.core.lock.FileDeploymentLock;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.router.HealthCheckFileRouter;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.docker.DockerClient;
import dev.zdd.docker.DockerLauncher;
import dev.zdd.docker.testing.TestImage;
import dev.zdd.haproxy.HaproxyRouter;
import dev.zdd.haproxy.RuntimeApiClient;
import dev.zdd.nginx.LocalNginxControl;
import dev.zdd.nginx.NginxRouter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One deployer process, as a CI job runs it: builds its router and launcher from nothing but files, sockets and the
 * specs on its command line (through public APIs only) and an {@link Engine} (file journal and lock), then either
 * deploys one version blue-green or recovers after a killed deployer. Prints {@code READY}, then {@code DONE <status>}
 * (or {@code RECOVERED <status>}, {@code CLEANED <id>} and {@code DONE}). Args: {@code deploy|recover <service>
 * <version> <routerSpec> <launcherSpec> <stateDir>}; the specs are described at {@link #router} and {@link #launcher}.
 */
public final class DeployerMain {
    static final String BACKEND = "app";
    /** Name of the health-check file a balancer polls on each target of the {@code files} router spec. */
    static final String LB_FILE = "lb-health";

    private DeployerMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String service = args[1];
        String version = args[2];
        Path state = Path.of(args[5]);
        TrafficRouter router = router(args[3], state, service);
        TargetLauncher launcher = launcher(args[4], state);
        Engine engine = Engine.builder().router(router).launcher(launcher).probe(HttpProbe.create())
                .probePolicy(ProbePolicy.builder().period(Duration.ofMillis(50)).timeout(Duration.ofSeconds(2))
                        .deadline(Duration.ofSeconds(20)).build())
                .stepDeadline(Duration.ofSeconds(30))
                .journal(FileJournalStore.in(state.resolve("journal")))
                .lock(FileDeploymentLock.in(state.resolve("locks")))
                .recovery(RecoveryMode.ROLL_BACK).build();
        say("READY");
        if (mode.equals("deploy")) {
            Deployment d = engine.start(DeploymentSpec.builder(service, version).instances(2).build(),
                    BlueGreen.builder().initialColour("blue").rollbackWindow(Duration.ZERO)
                            .drainTimeout(Duration.ofSeconds(1)).retireGrace(Duration.ofSeconds(2)).build());
            DeploymentResult r = d.await(Duration.ofSeconds(120));
            say("DONE " + r.status() + " " + r.reason().replace('\n', ' '));
        } else {
            Optional<Deployment> d = engine.recover(service);
            if (d.isPresent()) {
                DeploymentResult r = d.get().await(Duration.ofSeconds(120));
                say("RECOVERED " + r.status() + " " + r.reason().replace('\n', ' ') + " leftovers=" + r.leftovers());
            } else {
                say("RECOVERED nothing interrupted");
            }
            // What the engine's recovery does not do: retire every instance the inventory lists that no route serves
            // (an interrupted retire of the old colour leaves those); the engine retires only its own launches in doubt.
            Set<String> serving = new HashSet<>();
            for (Route r : router.current().routes()) {
                if (r.serving()) {
                    serving.add(r.target().id());
                }
            }
            for (Target t : ((TargetInventory) launcher).discover(service)) {
                if (!serving.contains(t.id())) {
                    launcher.retire(t, Duration.ofSeconds(2));
                    say("CLEANED " + t.id());
                }
            }
            say("DONE");
        }
        System.exit(0);
    }

    /**
     * The router a deployer builds from its configuration alone (identity state files in {@code state}):
     * <ul>
     * <li>{@code haproxy,<socket>}: HAProxy, dynamic servers, state file;</li>
     * <li>{@code haproxy-configured,<socket>,<firstPort>}: HAProxy servers {@code s1..s4} declared in haproxy.cfg for
     *     the four {@linkplain #slots slots}, switched through the runtime API, state file;</li>
     * <li>{@code nginx,<binary>,<prefixDir>,<name>,<statusPort>}: include file {@code zdd-<name>.conf};</li>
     * <li>{@code files,<sitesDir>,<firstPort>}: {@link HealthCheckFileRouter} over {@code <sitesDir>/<id>/lb-health}
     *     of the four slots (a balancer in front polls them), state file, 400 ms settle.</li>
     * </ul>
     */
    static TrafficRouter router(String spec, Path state, String service) {
        String[] f = spec.split(",");
        switch (f[0]) {
            case "haproxy", "haproxy-configured" -> {
                HaproxyRouter.Builder b = HaproxyRouter.builder(RuntimeApiClient.unixSocket(Path.of(f[1])).build(), BACKEND)
                        .deleteTimeout(Duration.ofSeconds(2)).stateFile(state.resolve("haproxy.state"));
                if (f[0].equals("haproxy")) {
                    return b.dynamicServers(true).build();
                }
                List<Target> slots = slots(service, Integer.parseInt(f[2]));
                for (int i = 0; i < slots.size(); i++) {
                    b.server("s" + (i + 1), slots.get(i));
                }
                return b.build();
            }
            case "files" -> {
                HealthCheckFileRouter.Builder b = HealthCheckFileRouter.builder().stateFile(state.resolve("files.state"))
                        .settle(Duration.ofMillis(800)); // the balancer's checks: inter 100 ms x fall 2, with room for load
                for (Target t : slots(service, Integer.parseInt(f[2]))) {
                    b.target(t, Path.of(f[1]).resolve(t.id()).resolve(LB_FILE));
                }
                return b.build();
            }
            case "nginx" -> {
                Path dir = Path.of(f[2]);
                return NginxRouter.builder().name(f[3]).includeFile(dir.resolve("zdd-" + f[3] + ".conf"))
                        .status(new Endpoint("127.0.0.1", Integer.parseInt(f[4])))
                        .control(LocalNginxControl.builder().binary(Path.of(f[1])).prefix(dir)
                                .config(dir.resolve("nginx.conf")).pidFile(dir.resolve("nginx.pid")).build())
                        .errorLog(dir.resolve("error.log")).build();
            }
            default -> throw new IllegalArgumentException("unknown router spec " + f[0]);
        }
    }

    /**
     * The four targets a configured router knows, in the order a {@link ProcessLauncher} whose range starts at
     * {@code firstPort} gives them ports (launches of one deployment run one after the other, and each deployer is a
     * new process whose rotation starts at the range's first port): blue-1, blue-2 on the first two ports, green-1,
     * green-2 on the next two (the first two are taken by the live blue instances when green is launched).
     */
    static List<Target> slots(String service, int firstPort) {
        List<Target> out = new ArrayList<>();
        int port = firstPort;
        for (String colour : List.of("blue", "green")) {
            for (int n = 1; n <= 2; n++) {
                out.add(new Target(service + "-" + colour + "-" + n, "none", new Endpoint("127.0.0.1", port++), Map.of()));
            }
        }
        return out;
    }

    /**
     * The launcher a deployer builds (inventory in {@code state}):
     * <ul>
     * <li>{@code process,<busybox>,<wwwDir>,<portMin>,<portMax>}: busybox httpd serving {@code <wwwDir>/<version>};</li>
     * <li>{@code process-sites,<busybox>,<wwwDir>,<portMin>,<portMax>}: the same, but each target serves its own
     *     directory {@code <wwwDir>/sites/<id>} (where the balancer's health-check file lives), into which it first copies
     *     its version's {@code index.html} and {@code health};</li>
     * <li>{@code docker,<dockerHost>}: {@link DockerLauncher} of zdd's test image {@code zdd-test:<version>}, on
     *     ephemeral ports of 127.0.0.1.</li>
     * </ul>
     */
    static TargetLauncher launcher(String spec, Path state) {
        String[] f = spec.split(",");
        if (f[0].equals("docker")) {
            return dockerLauncher(DockerClient.connect(f[1]));
        }
        String busybox = f[1];
        Path www = Path.of(f[2]);
        List<String> command = f[0].equals("process")
                ? List.of(busybox, "httpd", "-f", "-p", "127.0.0.1:{port}", "-h", www.resolve("{version}").toString())
                : List.of(busybox, "sh", "-c", "cp \"$1/index.html\" \"$1/health\" \"$2/\" && exec \"$0\" httpd -f -p \"$3\" -h \"$2\"",
                        busybox, www.resolve("{version}").toString(), www.resolve("sites").resolve("{id}").toString(),
                        "127.0.0.1:{port}");
        return ProcessLauncher.builder().command(command).portRange(Integer.parseInt(f[3]), Integer.parseInt(f[4]))
                .stateDirectory(state.resolve("launcher")).logDirectory(state.resolve("logs"))
                .startupCheck(Duration.ofMillis(100)).build();
    }

    /** The {@code docker} launcher spec's launcher on {@code client}. */
    static DockerLauncher dockerLauncher(DockerClient client) {
        return DockerLauncher.builder(client, TestImage.DEFAULT_REPOSITORY + ":{version}").containerPort(TestImage.PORT)
                .build();
    }

    private static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
