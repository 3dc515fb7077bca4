package dev.zdd.ssh;

import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.docker.ContainerSummary;
import dev.zdd.docker.DockerClient;
import dev.zdd.docker.DockerException;
import dev.zdd.docker.DockerLauncher;
import dev.zdd.docker.PullPolicy;
import dev.zdd.docker.RegistryCredentials;
import dev.zdd.docker.testing.DockerTestDaemon;
import dev.zdd.docker.testing.TestImage;
import dev.zdd.docker.testing.TestRegistry;
import dev.zdd.ssh.testing.TestSshLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Docker over ssh against the private dockerd of the Docker tests: a simulated host whose user may use that daemon
 * (root here: the socket is root's), reached only over SSH; every Docker connection is {@code docker system
 * dial-stdio} in an exec channel. DockerClient, DockerLauncher and a pull from a registry with credentials work
 * unchanged over it.
 */
class DockerOverSshIT {
    private static final String SERVICE = "sshdocker-" + UUID.randomUUID().toString().substring(0, 8);
    private static TestSshLab lab;
    private static SshClientPool pool;
    private static DockerClient remote;
    private static DockerClient local;

    @BeforeAll
    static void start() throws Exception {
        Optional<DockerTestDaemon> daemon = DockerTestDaemon.shared();
        assumeTrue(daemon.isPresent(), "no Docker daemon (bash .ci/dockerd.sh start; export ZDD_DOCKER_HOST=...)");
        Optional<TestSshLab> l = TestSshLab.createWithUsers(List.of("root"));
        assumeTrue(l.isPresent(), "sshd is not installed (apt-get install openssh-server)");
        lab = l.get();
        pool = lab.pool();
        local = daemon.get().client();
        SshDockerTransport transport = SshDockerTransport.builder(pool, lab.host(0).sshHost())
                .dockerHost(daemon.get().host()).build();
        remote = DockerClient.builder().transport(transport).build();
        TestImage.ensure(local, TestImage.DEFAULT_REPOSITORY, "1", TestImage.Behaviour.HEALTHY);
    }

    @AfterAll
    static void stop() {
        if (remote != null) {
            for (ContainerSummary s : remote.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, SERVICE), true)) {
                remote.removeContainer(s.id(), true);
            }
            remote.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theClientWorksOverDialStdio() {
        remote.ping();
        assertEquals(local.version().apiVersion(), remote.version().apiVersion());
        assertTrue(remote.host().startsWith("ssh://root@" + lab.host(0).address()), remote.host());
        assertTrue(remote.inspectImage(TestImage.DEFAULT_REPOSITORY + ":1").isPresent());
    }

    @Test
    void theLauncherStartsAndRetiresAContainerOverSsh() throws Exception {
        DockerLauncher launcher = DockerLauncher.builder(remote, TestImage.DEFAULT_REPOSITORY + ":{version}")
                .containerPort(TestImage.PORT).init(true).build();
        Target t = launcher.launch(new LaunchRequest(SERVICE, SERVICE + "-blue-1", "1", Map.of("colour", "blue")));
        assertEquals("1", SshProcessLauncherIT.awaitGet(t));
        assertEquals(1, launcher.discover(SERVICE).size());
        launcher.retire(t, Duration.ofSeconds(5));
        assertTrue(launcher.discover(SERVICE).isEmpty());
    }

    @Test
    void readTimeoutAndCloseAreHonouredOnADialStdioSocket() throws Exception {
        SshDockerTransport transport = SshDockerTransport.builder(pool, lab.host(0).sshHost())
                .dockerHost(DockerTestDaemon.shared().orElseThrow().host()).build();
        try (Socket s = transport.connect(Duration.ofSeconds(5))) {
            s.setSoTimeout(300);
            long t0 = System.nanoTime();
            assertThrows(java.net.SocketTimeoutException.class, () -> s.getInputStream().read());
            assertTrue(System.nanoTime() - t0 >= 250_000_000L);
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(200);
                    s.close();
                } catch (Exception ignored) {
                    // test ends
                }
            });
            s.setSoTimeout(0);
            closer.start();
            t0 = System.nanoTime();
            assertThrows(IOException.class, () -> s.getInputStream().read(), "close wakes a blocked read");
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        }
    }

    @Test
    void pullsFromTheLocalRegistryWithCredentialsOverSsh() throws Exception {
        String password = "pw-" + UUID.randomUUID().toString().substring(0, 12);
        Optional<TestRegistry> reg = TestRegistry.start("zdd-ssh", password);
        assumeTrue(reg.isPresent(), "docker-registry or htpasswd is not installed");
        try (TestRegistry registry = reg.get()) {
            String image = registry.image("zdd-ssh-test", "v1");
            String source = "zdd-ssh-src-" + SERVICE;
            TestImage.buildUnique(local, source, "v1", TestImage.Behaviour.HEALTHY, SERVICE);
            local.tagImage(source + ":v1", image);
            local.pushImage(image, registry.credentials(), p -> { });
            local.removeImage(image, false);
            local.removeImage(source + ":v1", false);
            assertTrue(remote.inspectImage(image).isEmpty(), "the host lacks the image");
            DockerException wrong = assertThrows(DockerException.class, () -> remote.pullImage(image,
                    RegistryCredentials.of(registry.address(), "zdd-ssh", "wrong-" + password), p -> { }));
            assertFalse(wrong.getMessage().contains(password), "no secret in messages");
            DockerLauncher launcher = DockerLauncher.builder(remote, registry.image("zdd-ssh-test", "{version}"))
                    .containerPort(TestImage.PORT).init(true).pullPolicy(PullPolicy.IF_MISSING)
                    .registryCredentials(registry.credentials()).build();
            Target t = launcher.launch(new LaunchRequest(SERVICE, SERVICE + "-green-1", "v1", Map.of()));
            try {
                assertFalse(SshProcessLauncherIT.awaitGet(t).isEmpty(), "the pulled image answers");
                assertTrue(remote.inspectImage(image).isPresent(), "pulled over ssh");
            } finally {
                launcher.retire(t, Duration.ofSeconds(5));
                remote.removeImage(image, true);
            }
        }
    }
}
