package dev.zdd.ssh.crash;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.ProbePolicy;
import dev.zdd.core.Engine;
import dev.zdd.core.journal.FileJournalStore;
import dev.zdd.core.lock.FileDeploymentLock;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.ssh.testing.TestTopology;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * A deployer process: reaches the topology described in a properties file only over SSH, with journal and lock in a
 * directory, and runs a blue-green to 2.0 whose rollback window is long. Prints {@code EVENT <kind> <description>}
 * lines; the parent kills it with SIGKILL during the rollback window. Args: {@code <topology.properties> <dir>}.
 */
public final class RemoteDeployer {
    private RemoteDeployer() {
    }

    /** The engine both the child and the recovering parent build. */
    static Engine engine(TestTopology.Attached t, Path dir, dev.zdd.api.DeploymentListener listener) {
        Engine.Builder b = Engine.builder().router(t.router()).launcher(t.launcher())
                .probe(HttpProbe.builder().path("/").build())
                .probePolicy(ProbePolicy.builder().period(Duration.ofMillis(100)).timeout(Duration.ofSeconds(2))
                        .deadline(Duration.ofSeconds(20)).build())
                .stepDeadline(Duration.ofSeconds(60))
                .journal(FileJournalStore.in(dir.resolve("journal")))
                .lock(FileDeploymentLock.in(dir.resolve("locks")));
        if (listener != null) {
            b.listener(listener);
        }
        return b.build();
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
            p.load(r);
        }
        TestTopology.Attached t = TestTopology.attach(p);
        Engine engine = engine(t, Path.of(args[1]), e -> {
            synchronized (System.out) {
                System.out.println("EVENT " + e.kind() + " " + e.describe().replace('\n', ' '));
                System.out.flush();
            }
        });
        BlueGreen blueGreen = BlueGreen.builder().initialColour("blue").rollbackWindow(Duration.ofSeconds(60)).build();
        Deployment d = engine.start(DeploymentSpec.builder("shop", "2.0").instances(2).build(), blueGreen);
        DeploymentResult r = d.await(Duration.ofSeconds(120));
        System.out.println("DONE " + r.status());
        System.out.flush();
        System.exit(0);
    }
}
