package dev.zdd.docker;

import dev.zdd.api.HealthResult;
import dev.zdd.api.HealthStatus;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.docker.testing.TestImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DockerLauncher} and {@link DockerHealthProbe} against a real dockerd. */
class DockerLauncherIT {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static DockerClient client;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String service;

    @BeforeAll
    static void setUp() {
        client = DockerClient.connect(Docker.host());
        Docker.images(client);
    }

    @AfterAll
    static void tearDown() {
        if (client != null) {
            client.close();
        }
    }

    @AfterEach
    void cleanUp() {
        if (service != null) {
            Docker.removeAll(client, DockerLauncher.SERVICE_LABEL, service);
            assertTrue(client.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, service), true).isEmpty());
        }
    }

    private DockerLauncher.Builder launcher() {
        return DockerLauncher.builder(client, Docker.REPO + ":{version}").containerPort(TestImage.PORT)
                .healthcheck(TestImage.healthcheck(Duration.ofMillis(250)));
    }

    private static String get(Target t, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + t.endpoint().authority() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().trim();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static HealthStatus awaitVerdict(DockerHealthProbe probe, Target t, AtomicReference<HealthResult> last) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            HealthResult r = probe.check(t, PROBE_TIMEOUT);
            last.set(r);
            return r.status() != HealthStatus.UNKNOWN;
        });
        return last.get().status();
    }

    @Test
    void launchServesTheVersionAndRetireRemoves() throws Exception {
        service = Docker.uniqueService("launch");
        DockerLauncher launcher = launcher().build();
        Target t = launcher.launch(new LaunchRequest(service, "web-1", "1", Map.of("zone", "a")));
        assertEquals("web-1", t.id());
        assertEquals("1", t.version());
        assertEquals("127.0.0.1", t.endpoint().host());
        assertEquals("a", t.attribute("zone"));
        String containerId = t.attribute(DockerLauncher.CONTAINER_ATTRIBUTE);
        assertNotNull(containerId);
        ContainerInfo info = client.inspectContainer(containerId);
        assertEquals(service + "-web-1", info.name());
        Map.of(DockerLauncher.SERVICE_LABEL, service, DockerLauncher.VERSION_LABEL, "1", DockerLauncher.TARGET_LABEL, "web-1",
                DockerLauncher.ATTRIBUTE_LABEL_PREFIX + "zone", "a").forEach((k, v) -> assertEquals(v, info.labels().get(k), k));
        assertFalse(info.labels().containsKey(DockerLauncher.COLOUR_LABEL), "no colour asked");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(t, "/").equals("200 1"));

        DockerHealthProbe probe = DockerHealthProbe.of(client);
        AtomicReference<HealthResult> last = new AtomicReference<>();
        assertEquals(HealthStatus.HEALTHY, awaitVerdict(probe, t, last), String.valueOf(last.get()));

        long start = System.nanoTime();
        launcher.retire(t, Duration.ofSeconds(10));
        // init forwards SIGTERM: the 10 s grace is not waited out
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(8).toNanos(), "retire waited out the grace");
        assertTrue(client.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, service), true).isEmpty());
        launcher.retire(t, Duration.ofSeconds(1)); // already gone: not an error
        HealthResult gone = probe.check(t, PROBE_TIMEOUT);
        assertEquals(HealthStatus.UNHEALTHY, gone.status());
        assertTrue(gone.reason().contains("does not exist"), gone.reason());
    }

    @Test
    void aTargetReadBackWithoutVersionOrAttributesIsStillFoundByItsLabelAndRemoved() throws Exception {
        service = Docker.uniqueService("unknown");
        DockerLauncher launcher = launcher().build();
        Target t = launcher.launch(new LaunchRequest(service, "web-unknown-1", "1", Map.of()));
        String containerId = t.attribute(DockerLauncher.CONTAINER_ATTRIBUTE);
        // as a router that lost the identity reports it: version "unknown", no container attribute
        DockerLauncher fresh = launcher().build();
        fresh.retire(new Target("web-unknown-1", "unknown", t.endpoint(), Map.of()), Duration.ofSeconds(2));
        assertFalse(client.listContainers(Map.of(DockerLauncher.TARGET_LABEL, "web-unknown-1"), true).stream()
                .anyMatch(c -> c.id().startsWith(containerId)), "the container is gone");
    }

    @Test
    void fixedPortPerColour() throws Exception {
        service = Docker.uniqueService("colour");
        int blue = freePort();
        int green = freePort();
        DockerLauncher launcher = launcher().hostPort("blue", blue).hostPort("green", green).build();
        Target b = launcher.launch(new LaunchRequest(service, "blue", "1", Map.of(Target.COLOUR, "blue")));
        Target g = launcher.launch(new LaunchRequest(service, "green", "2", Map.of(Target.COLOUR, "green")));
        assertEquals(blue, b.endpoint().port());
        assertEquals(green, g.endpoint().port());
        assertEquals("blue", client.inspectContainer(b.attribute(DockerLauncher.CONTAINER_ATTRIBUTE)).labels()
                .get(DockerLauncher.COLOUR_LABEL));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(g, "/").equals("200 2"));
        assertEquals("200 1", get(b, "/"));

        // a second blue while the first runs: the name is taken, Docker's message says so, nothing is left behind
        LaunchException dup = assertThrows(LaunchException.class,
                () -> launcher.launch(new LaunchRequest(service, "blue", "2", Map.of(Target.COLOUR, "blue"))));
        assertTrue(dup.getMessage().contains("already exists") && dup.getMessage().contains("Docker said"), dup.getMessage());
        // a fixed port in use: start fails with Docker's message and the created container is removed
        DockerLauncher clash = launcher().hostPort("blue", blue).build();
        LaunchException busy = assertThrows(LaunchException.class,
                () -> clash.launch(new LaunchRequest(service, "blue-2", "2", Map.of(Target.COLOUR, "blue"))));
        assertTrue(busy.getMessage().contains("cannot start container " + service + "-blue-2"), busy.getMessage());
        assertEquals(2, client.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, service), true).size());
    }

    @Test
    void discoveryAfterTheDeployerRestarts() throws Exception {
        service = Docker.uniqueService("discover");
        try (DockerClient first = DockerClient.connect(Docker.host())) {
            DockerLauncher l = DockerLauncher.builder(first, Docker.REPO + ":{version}").build();
            l.launch(new LaunchRequest(service, "green", "2", Map.of(Target.COLOUR, "green", "weight-hint", "100")));
            Target old = l.launch(new LaunchRequest(service, "blue", "1", Map.of(Target.COLOUR, "blue")));
            l.retire(old, Duration.ofSeconds(5));
        }
        // a new process: new client, new launcher, no memory of what ran
        try (DockerClient second = DockerClient.connect(Docker.host())) {
            DockerLauncher fresh = DockerLauncher.builder(second, Docker.REPO + ":{version}").build();
            List<Target> live = fresh.discover(service);
            assertEquals(1, live.size(), live.toString());
            Target t = live.get(0);
            assertEquals("green", t.id());
            assertEquals("2", t.version());
            assertEquals("green", t.attribute(Target.COLOUR));
            assertEquals("100", t.attribute("weight-hint"));
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(t, "/").equals("200 2"));
            assertTrue(fresh.discover(Docker.uniqueService("nothing")).isEmpty());
            // and the discovered target can be retired by the new launcher
            fresh.retire(t, Duration.ofSeconds(5));
            assertTrue(fresh.discover(service).isEmpty());
        }
    }

    @Test
    void healthUnhealthyCarriesTheLastCheck() {
        service = Docker.uniqueService("unhealthy");
        Target t = launcher().build().launch(new LaunchRequest(service, "web-1", "broken", Map.of()));
        DockerHealthProbe probe = DockerHealthProbe.of(client);
        AtomicReference<HealthResult> last = new AtomicReference<>();
        assertEquals(HealthStatus.UNHEALTHY, awaitVerdict(probe, t, last), String.valueOf(last.get()));
        assertTrue(last.get().reason().contains("is unhealthy: last check exit 1"), last.get().reason());
        assertTrue(last.get().reason().contains("404"), last.get().reason());
    }

    @Test
    void exitedIsUnhealthyAtOnceWithLogLines() {
        service = Docker.uniqueService("crash");
        Target t = launcher().build().launch(new LaunchRequest(service, "web-1", "crash", Map.of()));
        DockerHealthProbe probe = DockerHealthProbe.of(client);
        // the app gives up after 2 s (its health check may fail before that); once it exited the answer says so
        AtomicReference<HealthResult> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last.set(probe.check(t, PROBE_TIMEOUT));
            return last.get().reason().contains("exited");
        });
        assertEquals(HealthStatus.UNHEALTHY, last.get().status());
        String reason = last.get().reason();
        assertTrue(reason.contains("exited with code 3"), reason);
        assertTrue(reason.contains("fatal: cannot-open-database"), reason);
        assertTrue(reason.contains("starting version crash"), reason);
    }

    @Test
    void dyingDuringStartIsALaunchErrorWithLogLines() {
        service = Docker.uniqueService("die");
        DockerLauncher l = launcher().env("ZDD_EXIT_AFTER", "0").build();
        String logs;
        try {
            // it may still run when the launcher looks (then the probe sees it die), or be dead already
            Target t = l.launch(new LaunchRequest(service, "web-1", "crash", Map.of()));
            AtomicReference<HealthResult> last = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                last.set(DockerHealthProbe.of(client).check(t, PROBE_TIMEOUT));
                return last.get().reason().contains("exited");
            });
            assertEquals(HealthStatus.UNHEALTHY, last.get().status());
            logs = last.get().reason();
        } catch (LaunchException e) {
            logs = e.getMessage();
            assertTrue(logs.contains("right after start (exit code 3"), logs);
            assertTrue(client.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, service), true).isEmpty(),
                    "the dead container is removed");
        }
        assertTrue(logs.contains("fatal: cannot-open-database"), logs);
    }

    @Test
    void withoutHealthcheckFollowsTheProbesSetting() {
        service = Docker.uniqueService("nohc");
        Target t = DockerLauncher.builder(client, Docker.REPO + ":{version}").build()
                .launch(new LaunchRequest(service, "web-1", "1", Map.of()));
        HealthResult r = DockerHealthProbe.of(client).check(t, PROBE_TIMEOUT);
        assertEquals(HealthStatus.UNKNOWN, r.status());
        assertTrue(r.reason().contains("no HEALTHCHECK"), r.reason());
        assertTrue(DockerHealthProbe.builder(client).withoutHealthcheck(HealthStatus.HEALTHY).build()
                .check(t, PROBE_TIMEOUT).isHealthy());
        // found by labels when the target lost its container attribute
        Target bare = Target.of("web-1", "1", t.endpoint());
        assertEquals(HealthStatus.UNKNOWN, DockerHealthProbe.of(client).check(bare, PROBE_TIMEOUT).status());
    }

    @Test
    void imageMissingIsAClearLaunchError() {
        service = Docker.uniqueService("missing");
        String secret = "pw-" + service;
        DockerLauncher l = launcher().env("DB_PASSWORD", secret).pullPolicy(PullPolicy.NEVER).build();
        LaunchException e = assertThrows(LaunchException.class,
                () -> l.launch(new LaunchRequest(service, "web-1", "9.9.9", Map.of())));
        assertTrue(e.getMessage().contains("image '" + Docker.REPO + ":9.9.9' is not on the Docker daemon"), e.getMessage());
        assertTrue(e.getMessage().contains("pull policy NEVER"), e.getMessage());
        assertTrue(e.getMessage().contains("No such image: " + Docker.REPO + ":9.9.9"), e.getMessage());
        assertFalse(e.getMessage().contains(secret));

        // the default (IF_MISSING) tries Docker Hub, which this machine cannot reach: a clear error too, and quick
        DockerLauncher pulling = launcher().env("DB_PASSWORD", secret).build();
        LaunchException p = assertThrows(LaunchException.class,
                () -> pulling.launch(new LaunchRequest(service, "web-1", "9.9.9", Map.of())));
        assertTrue(p.getMessage().contains("cannot pull image " + Docker.REPO + ":9.9.9 from registry docker.io"),
                p.getMessage());
        assertTrue(p.getMessage().contains("pull policy IF_MISSING"), p.getMessage());
        assertFalse(p.getMessage().contains(secret));
        for (String line : CapturedLogs.lines()) {
            assertFalse(line.contains(secret), line);
        }
    }

    @Test
    void daemonUnreachableIsAClearLaunchError() {
        service = null;
        try (DockerClient dead = DockerClient.connect("unix:///tmp/zdd-no-such-dir/docker.sock")) {
            DockerLauncher l = DockerLauncher.builder(dead, Docker.REPO + ":{version}").build();
            LaunchException e = assertThrows(LaunchException.class,
                    () -> l.launch(new LaunchRequest("shop", "web-1", "1", Map.of())));
            assertTrue(e.getMessage().contains("cannot reach the Docker daemon"), e.getMessage());
            DockerException d = assertThrows(DockerException.class, () -> l.discover("shop"));
            assertTrue(d.isUnreachable());
        }
    }
}
