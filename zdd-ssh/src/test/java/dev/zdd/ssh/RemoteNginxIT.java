package dev.zdd.ssh;

import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.router.CompositeRouter;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.NginxControl;
import dev.zdd.nginx.NginxRouter;
import dev.zdd.ssh.testing.TestRemoteNginx;
import dev.zdd.ssh.testing.TestSshHost;
import dev.zdd.ssh.testing.TestSshLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two nginx hosts, each with its own sshd, user and nginx prefix, reached only over SSH; switched all or nothing
 * through {@link CompositeRouter#allOrNothing}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteNginxIT {
    private TestSshLab lab;
    private SshClientPool pool;
    private TestBackend blue;
    private TestBackend green;
    private TestRemoteNginx nginx1;
    private TestRemoteNginx nginx2;
    private Routing toBlue;
    private Routing toGreen;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(IntegrationEnvironment.find("nginx", "apt-get install nginx").isPresent(), "nginx is not installed");
        Optional<TestSshLab> l = TestSshLab.create(2, 1);
        assumeTrue(l.isPresent(), "sshd is not installed (apt-get install openssh-server)");
        lab = l.get();
        pool = lab.pool();
        blue = TestBackend.start("blue");
        green = TestBackend.start("green");
        toBlue = Routing.of(Route.active(blue.target("blue"), 10000), Route.disabled(green.target("green")));
        toGreen = Routing.of(Route.active(green.target("green"), 10000), Route.disabled(blue.target("blue")));
        nginx1 = TestRemoteNginx.start(pool, lab.host(0), "app", toBlue);
        nginx2 = TestRemoteNginx.start(pool, lab.host(1), "app", toBlue);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {nginx1, nginx2, blue, green, lab}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    @Test
    void bothHostsSwitchInParallelAndReadBackOverSsh() throws Exception {
        TrafficRouter both = CompositeRouter.allOrNothing(nginx1.router(), nginx2.router());
        both.apply(toGreen);
        assertEquals("green", Http.get(nginx1.proxy(), "/"));
        assertEquals("green", Http.get(nginx2.proxy(), "/"));
        assertEquals(toGreen, nginx1.router().current());
        assertEquals(toGreen, nginx2.router().current());
        assertNull(nginx1.router().includeFile(), "the include lives on the host, not here");
        both.apply(toBlue);
        assertEquals("blue", Http.get(nginx1.proxy(), "/"));
        assertEquals("blue", Http.get(nginx2.proxy(), "/"));
    }

    @Test
    void nginxTestFailingOnTheSecondHostRestoresTheFirst() throws Exception {
        TrafficRouter both = CompositeRouter.allOrNothing(nginx1.router(), nginx2.router());
        both.apply(toBlue);
        SshFiles files2 = new SshFiles(pool, lab.host(1).sshHost(), Duration.ofSeconds(10));
        String main2 = files2.read(nginx2.mainConfig());
        String include2 = files2.read(nginx2.includeFile());
        files2.write(nginx2.mainConfig(), main2 + "broken_directive on;\n");
        try {
            RouterException e = assertThrows(RouterException.class, () -> both.apply(toGreen));
            // the default (ON_RELOAD) lets the reload find it: refused at the reload or confirm step, nginx's words
        assertTrue(e.getMessage().matches("(?s).*step '(validate|reload|confirm)' failed.*"), e.getMessage());
            assertTrue(e.getMessage().contains("unknown directive \"broken_directive\""), e.getMessage());
            assertEquals(toBlue, nginx1.router().current(), "the host that had switched is switched back");
            for (int i = 0; i < 10; i++) {
                assertEquals("blue", Http.get(nginx1.proxy(), "/"));
                assertEquals("blue", Http.get(nginx2.proxy(), "/"));
            }
            assertEquals(include2, files2.read(nginx2.includeFile()), "the failed host kept its file, byte for byte");
        } finally {
            files2.write(nginx2.mainConfig(), main2);
        }
        assertEquals(toBlue, nginx2.router().current());
    }

    @Test
    void connectionDroppedDuringTheReloadIsUndoneAndTheNextApplyReconnects() throws Exception {
        TestSshHost host2 = lab.host(1);
        TrafficRouter plain = CompositeRouter.allOrNothing(nginx1.router(), nginx2.router());
        plain.apply(toBlue);
        // a slow nginx on host 2 (sleeps 1 s before doing anything), so that the cut lands while reload runs
        RemotePath slow = RemotePath.of(host2.workDir() + "/slow-nginx.sh");
        new SshFiles(pool, host2.sshHost(), Duration.ofSeconds(5)).write(slow,
                "#!/bin/sh\nsleep 1\nexec /usr/sbin/nginx \"$@\"\n");
        assertEquals(0, pool.exec(host2.sshHost(), RemoteCommand.of("chmod", "755", slow.value())).exitCode());
        SshNginxControl slowControl = SshNginxControl.builder(pool, host2.sshHost()).binary(slow)
                .prefix(nginx2.prefix()).config(nginx2.mainConfig()).errorLog(nginx2.errorLog()).build();
        NginxControl slowReload = new NginxControl() {
            @Override
            public Result test() {
                return nginx2.control().test();
            }

            @Override
            public Result reload() {
                CompletableFuture<Integer> cut = CompletableFuture.supplyAsync(() -> {
                    sleep(300);
                    return host2.killSessions();
                });
                Result r = slowControl.reload();
                assertTrue(cut.join() > 0, "the ssh session was cut");
                return r;
            }
        };
        NginxRouter router2 = SshNginx.routerBuilder(pool, host2.sshHost(), nginx2.includeFile()).name("app")
                .status(nginx2.router().status()).control(slowReload).build();
        TrafficRouter both = CompositeRouter.allOrNothing(nginx1.router(), router2);
        RouterException e = assertThrows(RouterException.class, () -> both.apply(toGreen));
        assertTrue(e.getMessage().contains("step 'reload' failed"), e.getMessage());
        assertTrue(e.getMessage().contains("connection dropped"), e.getMessage());
        // all or nothing: both serve blue, and read back blue
        sleep(1500); // the cut-off reload may still run on the host (anything cut off may have happened)
        assertEquals(toBlue, nginx1.router().current());
        assertEquals(toBlue, nginx2.router().current());
        for (int i = 0; i < 10; i++) {
            assertEquals("blue", Http.get(nginx1.proxy(), "/"));
            assertEquals("blue", Http.get(nginx2.proxy(), "/"));
        }
        // the next apply (plain control) reconnects and succeeds
        plain.apply(toGreen);
        assertEquals("green", Http.get(nginx2.proxy(), "/"));
        plain.apply(toBlue);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
