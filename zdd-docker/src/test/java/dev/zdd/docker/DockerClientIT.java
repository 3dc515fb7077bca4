package dev.zdd.docker;

import dev.zdd.docker.testing.TestImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DockerClient} against a real dockerd (see {@code DockerTestDaemon}). */
class DockerClientIT {
    private static final String RUN_LABEL = "dev.zdd.test-run";
    private static final String RUN = Docker.uniqueService("client");
    private static DockerClient client;

    @BeforeAll
    static void setUp() {
        client = DockerClient.connect(Docker.host());
        Docker.images(client);
    }

    @AfterAll
    static void tearDown() {
        if (client != null) {
            Docker.removeAll(client, RUN_LABEL, RUN);
            assertTrue(client.listContainers(Map.of(RUN_LABEL, RUN), true).isEmpty(), "cleanup left containers");
            client.close();
        }
    }

    private static ContainerSpec.Builder spec(String version) {
        return ContainerSpec.builder(Docker.REPO + ":" + version).label(RUN_LABEL, RUN);
    }

    @Test
    void pingVersionAndNegotiatedApi() {
        client.ping();
        DockerVersion v = client.version();
        assertFalse(v.version().isEmpty());
        assertEquals("linux", v.os());
        String expected = DockerClient.compareVersions(v.apiVersion(), DockerClient.MAX_API_VERSION) < 0
                ? v.apiVersion() : DockerClient.MAX_API_VERSION;
        assertEquals(expected, client.apiVersion());
    }

    @Test
    void createStartInspectLogsStopRemove() throws Exception {
        String name = "zdd-client-it-" + RUN;
        String id = client.createContainer(spec("1").name(name).publish(TestImage.PORT, "127.0.0.1", 0)
                .label("purpose", "lifecycle").healthcheck(TestImage.healthcheck(Duration.ofMillis(200))).build());
        client.startContainer(id);
        ContainerInfo info = client.inspectContainer(id);
        assertEquals(id, info.id());
        assertEquals(name, info.name());
        assertEquals("running", info.status());
        assertEquals("lifecycle", info.labels().get("purpose"));
        int port = info.hostPort(TestImage.PORT).orElseThrow().hostPort();
        assertEquals("127.0.0.1", info.hostPort(TestImage.PORT).orElseThrow().hostIp());

        await().atMost(Duration.ofSeconds(20)).until(() -> client.inspectContainer(id).health().equals("healthy"));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("1", r.body().trim());

        assertTrue(client.logs(id, 10).contains("zdd test app: starting version 1"));
        assertTrue(client.listContainers(Map.of(RUN_LABEL, RUN, "purpose", "lifecycle"), false).stream()
                .anyMatch(c -> c.id().equals(id) && c.ports().stream().anyMatch(p -> p.hostPort() == port)));

        assertTrue(client.stopContainer(id, Duration.ofSeconds(5)));
        ContainerInfo stopped = client.inspectContainer(id);
        assertEquals("exited", stopped.status());
        assertFalse(client.stopContainer(id, Duration.ofSeconds(5)), "already stopped");
        assertTrue(client.listContainers(Map.of(RUN_LABEL, RUN, "purpose", "lifecycle"), false).isEmpty());
        assertEquals(1, client.listContainers(Map.of(RUN_LABEL, RUN, "purpose", "lifecycle"), true).size());

        assertTrue(client.removeContainer(id, false));
        assertFalse(client.removeContainer(id, true), "already gone");
        DockerException e = assertThrows(DockerException.class, () -> client.inspectContainer(id));
        assertTrue(e.isNotFound());
        assertTrue(e.dockerMessage().contains("No such container"), e.dockerMessage());
    }

    @Test
    void initMakesStopFast() {
        String id = client.createContainer(spec("1").build());
        client.startContainer(id);
        long start = System.nanoTime();
        client.stopContainer(id, Duration.ofSeconds(20));
        long millis = (System.nanoTime() - start) / 1_000_000;
        client.removeContainer(id, true);
        // with init the app gets SIGTERM and exits; without, it would wait the whole 20 s grace
        assertTrue(millis < 15_000, "stop took " + millis + " ms");
    }

    @Test
    void imageMissingCarriesDockersMessage() {
        assertTrue(client.inspectImage(Docker.REPO + ":no-such-version").isEmpty());
        assertTrue(client.inspectImage(Docker.REPO + ":1").isPresent());
        DockerException e = assertThrows(DockerException.class,
                () -> client.createContainer(spec("no-such-version").build()));
        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains("No such image: " + Docker.REPO + ":no-such-version"), e.getMessage());
    }

    @Test
    void sixteenParallelCalls() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                calls.add(() -> switch (n % 4) {
                    case 0 -> client.version().apiVersion();
                    case 1 -> String.valueOf(client.listContainers(Map.of(RUN_LABEL, RUN), true).size() >= 0);
                    case 2 -> client.inspectImage(Docker.REPO + ":1").orElseThrow().id();
                    default -> {
                        client.ping();
                        yield "OK";
                    }
                });
            }
            List<Future<String>> results = pool.invokeAll(calls, 60, TimeUnit.SECONDS);
            for (Future<String> f : results) {
                assertFalse(f.isCancelled(), "a call did not finish within 60 s");
                assertFalse(f.get().isEmpty());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pooledConnectionReusedAfterLongIdleDoesNotHang() {
        // Before a non-GET call, OkHttp checks a pooled connection idle for > 10 s with a 1 ms read: a socket that
        // ignored read timeouts would block here forever
        try (DockerClient c = DockerClient.connect(Docker.host())) {
            c.ping();
            c.ping();
            assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
                Thread.sleep(11_500);
                assertFalse(c.stopContainer("zdd-no-such-container", Duration.ZERO), "a POST on the idle connection");
                c.ping();
            });
        }
    }

    @Test
    void daemonUnreachableIsAClearError() {
        try (DockerClient c = DockerClient.connect("unix:///tmp/zdd-no-such-dir/docker.sock")) {
            DockerException e = assertThrows(DockerException.class, c::ping);
            assertTrue(e.isUnreachable());
            assertTrue(e.getMessage().contains("cannot reach the Docker daemon at unix:///tmp/zdd-no-such-dir/docker.sock"),
                    e.getMessage());
            // issue 14: OkHttp's placeholder address (docker/127.0.0.1:80) is not the daemon that was tried
            assertFalse(e.getMessage().contains("127.0.0.1:80"), e.getMessage());
        }
        try (DockerClient c = DockerClient.builder().host("tcp://127.0.0.1:1").connectTimeout(Duration.ofSeconds(2)).build()) {
            DockerException e = assertThrows(DockerException.class, c::version);
            assertTrue(e.isUnreachable());
            assertTrue(e.getMessage().contains("cannot reach the Docker daemon at tcp://127.0.0.1:1"), e.getMessage());
        }
    }

    @Test
    void secretsNeverInMessagesOrLogs() {
        String secret = "s3cr3t-" + RUN;
        ContainerSpec bad = spec("no-such-version").env("DB_PASSWORD", secret).name("zdd-secret-" + RUN).build();
        assertFalse(bad.toString().contains(secret), bad.toString());
        assertTrue(bad.toString().contains("DB_PASSWORD"));
        DockerException e = assertThrows(DockerException.class, () -> client.createContainer(bad));
        assertFalse(e.getMessage().contains(secret));

        String id = client.createContainer(spec("1").env("DB_PASSWORD", secret).build());
        client.startContainer(id);
        ContainerInfo info = client.inspectContainer(id);
        assertFalse(info.toString().contains(secret), "inspect result must not carry env values");
        client.removeContainer(id, true);
        assertFalse(CapturedLogs.lines().isEmpty(), "the client logs its calls at debug level");
        for (String line : CapturedLogs.lines()) {
            assertFalse(line.contains(secret), "secret in a log line: " + line);
        }
    }
}
