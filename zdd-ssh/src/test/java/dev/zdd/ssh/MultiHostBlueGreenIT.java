package dev.zdd.ssh;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Routing;
import dev.zdd.core.Engine;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.ssh.testing.TestLoad;
import dev.zdd.ssh.testing.TestTopology;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Blue-green of an app on two app hosts behind two nginx hosts, end to end through the engine, every host reached only
 * over SSH, under load of keep-alive, Connection: close and retrying clients on both nginx.
 */
class MultiHostBlueGreenIT {
    @Test
    void blueGreenAcrossFourHostsUnderLoad() throws Exception {
        Optional<TestTopology> t = TestTopology.start("shop", "1.0", List.of("1.0", "2.0"), 1);
        assumeTrue(t.isPresent(), "sshd, nginx or busybox is not installed");
        try (TestTopology topo = t.get()) {
            Engine engine = Engine.builder()
                    .router(topo.router())
                    .launcher(topo.launcher())
                    .probe(HttpProbe.builder().path("/").build())
                    .probePolicy(ProbePolicy.builder().period(Duration.ofMillis(100)).timeout(Duration.ofSeconds(2))
                            .deadline(Duration.ofSeconds(20)).build())
                    .stepDeadline(Duration.ofSeconds(60))
                    .build();
            BlueGreen blueGreen = BlueGreen.builder().initialColour("blue").rollbackWindow(Duration.ofMillis(500))
                    .drainTimeout(Duration.ofMillis(500)).retireGrace(Duration.ofSeconds(2)).build();
            List<TestLoad> load = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                for (TestLoad.Kind kind : TestLoad.Kind.values()) {
                    load.add(TestLoad.start(topo.nginx(n).proxy(), kind, 2, Duration.ofSeconds(90)));
                }
            }
            DeploymentResult result;
            try {
                Thread.sleep(300);
                Deployment d = engine.start(DeploymentSpec.builder("shop", "2.0").instances(2).build(), blueGreen);
                result = d.await(Duration.ofSeconds(90));
                Thread.sleep(300);
            } finally {
                load.forEach(TestLoad::stop);
            }
            load.forEach(System.out::println);
            assertEquals(DeploymentStatus.SUCCEEDED, result.status(), result.toString());
            for (TestLoad l : load) {
                assertTrue(l.ok() > 0, l.toString());
                assertTrue(l.bodies().containsKey("1.0") && l.bodies().containsKey("2.0"), "saw both versions: " + l);
                if (l.kind() != TestLoad.Kind.KEEP_ALIVE) {
                    assertEquals(0, l.failed(), "no failed request for close and retrying clients: " + l);
                }
            }
            Routing now = topo.router().current();
            assertTrue(now.routes().stream().filter(r -> r.weight() > 0)
                    .allMatch(r -> r.target().version().equals("2.0")), now.toString());
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 5; i++) {
                    assertEquals("2.0", Http.get(topo.nginx(n).proxy(), "/"));
                }
            }
            // green runs on both app hosts, blue is gone from both
            for (int i = 0; i < 2; i++) {
                List<RemoteInstance> left = topo.appLauncher(i).inventory("shop");
                assertEquals(1, left.size(), left.toString());
                assertEquals("2.0", left.get(0).target().version());
                assertTrue(left.get(0).alive());
                assertEquals("shop-green-" + (i + 1), left.get(0).target().id());
            }
        }
    }
}
