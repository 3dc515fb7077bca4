package dev.zdd.examples.restarts;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.journal.FileJournalStore;
import dev.zdd.core.journal.RecoveryMode;
import dev.zdd.core.launch.ProcessLauncher;
import dev.zdd.core.lock.FileDeploymentLock;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.api.Endpoint;
import dev.zdd.api.TrafficRouter;
import dev.zdd.haproxy.HaproxyRouter;
import dev.zdd.nginx.LocalNginxControl;
import dev.zdd.nginx.NginxRouter;
import dev.zdd.haproxy.RuntimeApiClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * One deployer process, as a CI job runs it: builds a {@link HaproxyRouter} (dynamic servers, state file) or an
 * {@link NginxRouter} (its include file), a
 * {@link ProcessLauncher} (busybox httpd backends, inventory) and an {@link Engine} (file journal and lock) from
 * nothing but files and the HAProxy socket, through public APIs only, then either deploys one version blue-green or
 * recovers after a killed deployer. Prints {@code READY}, then {@code DONE <status>} (or {@code RECOVERED <status>},
 * {@code CLEANED <id>} and {@code DONE}). Args: {@code deploy|recover <service> <version> <routerSpec> <stateDir> <wwwDir>
 * <busybox> <portMin> <portMax>}.
 */
public final class DeployerMain {
    static final String BACKEND = "app";

    private DeployerMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String service = args[1];
        String version = args[2];
        String routerSpec = args[3];
        Path state = Path.of(args[4]);
        Path www = Path.of(args[5]);
        String busybox = args[6];
        int portMin = Integer.parseInt(args[7]);
        int portMax = Integer.parseInt(args[8]);
        TrafficRouter router = router(routerSpec, state);
        ProcessLauncher launcher = launcher(state, www, busybox, portMin, portMax);
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
                say("RECOVERED " + r.status() + " " + r.reason().replace('\n', ' '));
            } else {
                say("RECOVERED nothing interrupted");
            }
            // What the engine's recovery does not do yet: find, through the launcher's inventory, what an
            // interrupted launch (or an interrupted retire) left running and retire every instance no route serves.
            Set<String> serving = new HashSet<>();
            for (Route r : router.current().routes()) {
                if (r.serving()) {
                    serving.add(r.target().id());
                }
            }
            for (Target t : launcher.discover(service)) {
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
     * The router a deployer builds from its configuration alone: {@code haproxy,<socket>} (dynamic servers, state file
     * in {@code state}) or {@code nginx,<binary>,<prefixDir>,<name>,<statusPort>} (include file {@code zdd-<name>.conf}).
     */
    static TrafficRouter router(String spec, Path state) {
        String[] f = spec.split(",");
        if (f[0].equals("haproxy")) {
            return HaproxyRouter.builder(RuntimeApiClient.unixSocket(Path.of(f[1])).build(), BACKEND).dynamicServers(true)
                    .deleteTimeout(Duration.ofSeconds(2)).stateFile(state.resolve("haproxy.state")).build();
        }
        Path dir = Path.of(f[2]);
        return NginxRouter.builder().name(f[3]).includeFile(dir.resolve("zdd-" + f[3] + ".conf"))
                .status(new Endpoint("127.0.0.1", Integer.parseInt(f[4])))
                .control(LocalNginxControl.builder().binary(Path.of(f[1])).prefix(dir).config(dir.resolve("nginx.conf"))
                        .pidFile(dir.resolve("nginx.pid")).build())
                .errorLog(dir.resolve("error.log")).build();
    }

    static ProcessLauncher launcher(Path state, Path www, String busybox, int portMin, int portMax) {
        return ProcessLauncher.builder()
                .command(busybox, "httpd", "-f", "-p", "127.0.0.1:{port}", "-h", www.resolve("{version}").toString())
                .portRange(portMin, portMax).stateDirectory(state.resolve("launcher")).logDirectory(state.resolve("logs"))
                .startupCheck(Duration.ofMillis(100)).build();
    }

    private static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
