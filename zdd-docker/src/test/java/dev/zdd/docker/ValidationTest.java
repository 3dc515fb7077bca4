package dev.zdd.docker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is refused with a message naming the field and the value; no daemon needed. */
class ValidationTest {
    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void hosts() {
        assertTrue(message(() -> DockerClient.connect("/var/run/docker.sock")).contains("docker.host '/var/run/docker.sock'"));
        assertTrue(message(() -> DockerClient.connect("https://x:2376")).contains("TLS is not supported"));
        assertTrue(message(() -> DockerClient.connect("unix://relative")).contains("unix://relative"));
        DockerClient.connect("tcp://127.0.0.1:2375").close();
        DockerClient.connect("unix:///tmp/x.sock").close();
    }

    @Test
    void apiVersionNegotiation() {
        assertEquals("1.41", DockerClient.negotiate(new DockerVersion("24.0", "1.43", "1.12", "linux", "amd64")));
        assertEquals("1.40", DockerClient.negotiate(new DockerVersion("19.03", "1.40", "1.12", "linux", "amd64")));
        DockerException old = assertThrows(DockerException.class,
                () -> DockerClient.negotiate(new DockerVersion("1.12", "1.24", "1.12", "linux", "amd64")));
        assertTrue(old.getMessage().contains("1.24"), old.getMessage());
        assertTrue(DockerClient.compareVersions("1.9", "1.41") < 0);
        assertTrue(DockerClient.compareVersions("1.41", "1.41") == 0);
    }

    @Test
    void containerSpec() {
        assertTrue(message(() -> ContainerSpec.builder("Shop:1")).contains("container.image 'Shop:1'"));
        assertTrue(message(() -> ContainerSpec.builder("shop:1;rm -rf /")).contains("container.image"));
        assertTrue(message(() -> ContainerSpec.builder("shop:1").name("-x")).contains("container.name '-x'"));
        assertTrue(message(() -> ContainerSpec.builder("shop:1").env("A B", "v")).contains("container.env name 'A B'"));
        String nul = message(() -> ContainerSpec.builder("shop:1").env("PASSWORD", "sec\0ret"));
        assertTrue(nul.contains("PASSWORD") && !nul.contains("sec"), nul);
        assertTrue(message(() -> ContainerSpec.builder("shop:1").label("k", "a\nb")).contains("control character"));
        assertTrue(message(() -> ContainerSpec.builder("shop:1").publish(0, "127.0.0.1", 1)).contains("container.port"));
        assertTrue(message(() -> ContainerSpec.builder("shop:1").publish(80, "localhost", 1)).contains("'localhost'"));
        assertTrue(message(() -> ContainerSpec.builder("shop:1").stopSignal("TERM;")).contains("container.stopSignal"));
        ContainerSpec ok = ContainerSpec.builder("registry.example:5000/team/shop:1.2").env("TOKEN", "hunter2")
                .publish(8080, "127.0.0.1", 0).build();
        assertFalse(ok.toString().contains("hunter2"));
        assertTrue(ok.toString().contains("TOKEN"));
        assertTrue(ok.init());
    }

    @Test
    void healthcheck() {
        assertTrue(message(() -> new Healthcheck(List.of("wget"), Duration.ofSeconds(1), Duration.ofSeconds(1), 1,
                Duration.ZERO)).contains("healthcheck.test"));
        assertTrue(message(() -> Healthcheck.exec("true").withInterval(Duration.ZERO)).contains("healthcheck.interval"));
        assertTrue(message(() -> Healthcheck.exec("true").withRetries(0)).contains("healthcheck.retries"));
        assertEquals(List.of("CMD", "true"), Healthcheck.exec("true").test());
    }

    @Test
    void launcher() {
        try (DockerClient c = DockerClient.connect("unix:///tmp/none.sock")) {
            assertTrue(message(() -> DockerLauncher.builder(c, "shop:latest")).contains("{version}"));
            assertTrue(message(() -> DockerLauncher.builder(c, "Shop:{version}")).contains("imageTemplate"));
            assertTrue(message(() -> DockerLauncher.builder(c, "shop:{version}").hostPort("blue", 8080)
                    .hostPort("green", 8080).build()).contains("hostPort 8080"));
            assertTrue(message(() -> DockerLauncher.builder(c, "shop:{version}").label("dev.zdd.service", "x"))
                    .contains("reserved"));
            assertTrue(message(() -> DockerLauncher.builder(c, "shop:{version}").hostIp("0.0.0.0;")).contains("hostIp"));
            DockerLauncher l = DockerLauncher.builder(c, "registry:5000/shop:{version}").env("SECRET", "hunter2").build();
            assertEquals("registry:5000/shop:2.1", l.image("2.1"));
            assertFalse(l.toString().contains("hunter2"));
            assertTrue(message(() -> l.discover("bad name")).contains("service 'bad name'"));
            assertEquals("shop-green-1", DockerLauncher.containerName("shop", "shop-green-1"));
            assertEquals("shop-web-1", DockerLauncher.containerName("shop", "web-1"));
        }
    }
}
