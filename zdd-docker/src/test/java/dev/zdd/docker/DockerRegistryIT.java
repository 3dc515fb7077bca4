package dev.zdd.docker;

import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.docker.testing.TestImage;
import dev.zdd.docker.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Images from a real registry: Debian's docker-registry with htpasswd auth on loopback ({@link TestRegistry}), the real
 * dockerd of the other Docker tests. A test image with a layer of its own is pushed, removed from the daemon, then
 * deployed by {@code 127.0.0.1:PORT/zdd-test:v1} through {@link DockerLauncher}: it is pulled, runs and answers HTTP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerRegistryIT {
    private static final String USER = "zdd-deployer";
    /** Never to be seen in a log line, an exception message or a toString. */
    private static final String PASSWORD = "S3cret!" + UUID.randomUUID().toString().substring(0, 12);
    private static final String WRONG_PASSWORD = "wr0ng-" + UUID.randomUUID().toString().substring(0, 12);
    private static final String SERVICE = Docker.uniqueService("registry");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Every message and toString the tests saw, checked for the passwords at the end. */
    private static final ConcurrentLinkedQueue<String> SEEN = new ConcurrentLinkedQueue<>();

    private static DockerClient client;
    private static TestRegistry registry;
    private static String image;
    private static String pushDigest;
    private static final List<PullProgress> PUSH_PROGRESS = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        client = DockerClient.connect(Docker.host());
        registry = TestRegistry.start(USER, PASSWORD).orElse(null);
        assumeTrue(registry != null, "docker-registry or htpasswd is not installed");
        image = registry.image("zdd-test", "v1");
        // a layer nothing else shares, so that after removing it the daemon must download it again
        String source = "zdd-registry-src-" + SERVICE;
        TestImage.buildUnique(client, source, "v1", TestImage.Behaviour.HEALTHY, SERVICE);
        client.tagImage(source + ":v1", image);
        pushDigest = client.pushImage(image, registry.credentials(), PUSH_PROGRESS::add);
        assertTrue(client.removeImage(image, false));
        assertTrue(client.removeImage(source + ":v1", false));
        assertTrue(client.inspectImage(image).isEmpty(), "the pushed image is gone from the daemon");
    }

    @AfterAll
    static void tearDown() {
        try {
            if (client != null) {
                Docker.removeAll(client, DockerLauncher.SERVICE_LABEL, SERVICE);
                if (image != null) {
                    client.removeImage(image, true);
                }
                client.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    @AfterEach
    void removeContainers() {
        Docker.removeAll(client, DockerLauncher.SERVICE_LABEL, SERVICE);
    }

    private static DockerLauncher.Builder launcher() {
        return DockerLauncher.builder(client, registry.address() + "/zdd-test:{version}").containerPort(TestImage.PORT);
    }

    private static String get(Target t) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + t.endpoint().authority() + "/"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().trim();
    }

    private static <T extends Throwable> T seen(T e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            SEEN.add(String.valueOf(t.getMessage()));
            SEEN.add(t.toString());
        }
        return e;
    }

    @Test
    @Order(1)
    void pushReportedProgressAndADigest() {
        assertTrue(pushDigest.startsWith("sha256:"), pushDigest);
        assertTrue(PUSH_PROGRESS.stream().anyMatch(p -> p.status().equals("Pushed")), PUSH_PROGRESS.toString());
    }

    @Test
    @Order(2)
    void ifMissingPullsWithCredentialsAndTheContainerServes() throws Exception {
        assertTrue(client.inspectImage(image).isEmpty());
        List<PullProgress> progress = new ArrayList<>();
        DockerLauncher l = launcher().registryCredentials(registry.credentials()).pullListener(progress::add).build();
        SEEN.add(l.toString());
        assertTrue(l.toString().contains(USER + "@" + registry.address()), l.toString());
        Target t = l.launch(new LaunchRequest(SERVICE, "web-1", "v1", Map.of()));
        try {
            assertTrue(client.inspectImage(image).isPresent(), "pulled");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> get(t).equals("200 v1"));
        } finally {
            l.retire(t, Duration.ofSeconds(2));
        }
        // the layer was really downloaded, and the listener heard about it
        assertTrue(progress.stream().anyMatch(p -> p.status().startsWith("Pulling from")), progress.toString());
        assertTrue(progress.stream().anyMatch(p -> p.status().equals("Pull complete")), progress.toString());
        assertTrue(progress.stream().anyMatch(p -> p.status().startsWith("Status: Downloaded newer image")),
                progress.toString());
        assertTrue(progress.stream().allMatch(p -> p.image().equals(image)), progress.toString());
        assertTrue(progress.stream().anyMatch(PullProgress::hasBytes), "byte counts: " + progress);
        progress.forEach(p -> SEEN.add(p.toString()));
    }

    @Test
    @Order(3)
    void alwaysPullsEvenWhenPresentAndAThrowingListenerDoesNotStopIt() throws Exception {
        client.pullImage(image, registry.credentials(), PullListener.NONE);
        assertTrue(client.inspectImage(image).isPresent());
        List<PullProgress> progress = new ArrayList<>();
        DockerLauncher l = launcher().pullPolicy(PullPolicy.ALWAYS).registryCredentials(registry.credentials())
                .pullListener(p -> {
                    progress.add(p);
                    throw new IllegalStateException("listener bug");
                }).build();
        Target t = l.launch(new LaunchRequest(SERVICE, "web-2", "v1", Map.of()));
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> get(t).equals("200 v1"));
        } finally {
            l.retire(t, Duration.ofSeconds(2));
        }
        assertTrue(progress.stream().anyMatch(p -> p.status().startsWith("Status: Image is up to date for " + image)),
                "ALWAYS asked the registry although the image was present: " + progress);
        assertTrue(progress.size() >= 2, "the listener kept being called after it threw: " + progress);
    }

    @Test
    @Order(4)
    void wrongOrMissingCredentialsAreClearErrorsThatNeverShowThePassword() {
        RegistryCredentials wrong = RegistryCredentials.of(registry.address(), USER, WRONG_PASSWORD);
        SEEN.add(wrong.toString());
        DockerLauncher l = launcher().pullPolicy(PullPolicy.ALWAYS).registryCredentials(wrong).build();
        LaunchException e = seen(assertThrows(LaunchException.class,
                () -> l.launch(new LaunchRequest(SERVICE, "web-3", "v1", Map.of()))));
        String m = e.getMessage();
        assertTrue(m.contains("cannot pull image " + image + " from registry " + registry.address()), m);
        assertTrue(m.contains("as user '" + USER + "'"), m);
        assertTrue(m.contains("the registry refused the credentials"), m);
        assertTrue(client.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, SERVICE), true).isEmpty(),
                "no container was created");

        DockerException anonymous = seen(assertThrows(DockerException.class,
                () -> client.pullImage(image, PullListener.NONE)));
        assertTrue(anonymous.getMessage().contains("the registry needs credentials"), anonymous.getMessage());

        // a push answers 200 and reports the refusal inside the progress stream: still a failure
        assertTrue(client.inspectImage(image).isPresent(), "pulled by the tests before");
        DockerException push = seen(assertThrows(DockerException.class,
                () -> client.pushImage(image, wrong, PullListener.NONE)));
        assertEquals(200, push.status());
        assertTrue(push.getMessage().contains("cannot push image " + image + " to registry " + registry.address()),
                push.getMessage());
        assertTrue(push.getMessage().contains("the registry refused the credentials"), push.getMessage());
    }

    @Test
    @Order(5)
    void neverWithAMissingImageIsAClearError() {
        String absent = registry.image("zdd-test", "never-pulled");
        assertTrue(client.inspectImage(absent).isEmpty());
        DockerLauncher l = launcher().pullPolicy(PullPolicy.NEVER).registryCredentials(registry.credentials()).build();
        LaunchException e = seen(assertThrows(LaunchException.class,
                () -> l.launch(new LaunchRequest(SERVICE, "web-4", "never-pulled", Map.of()))));
        assertTrue(e.getMessage().contains("image '" + absent + "' is not on the Docker daemon"), e.getMessage());
        assertTrue(e.getMessage().contains("pull policy NEVER"), e.getMessage());
    }

    @Test
    @Order(6)
    void anImageTheRegistryLacksOrAnUnreachableRegistryIsAClearError() {
        DockerLauncher l = launcher().registryCredentials(registry.credentials()).build();
        LaunchException missing = seen(assertThrows(LaunchException.class,
                () -> l.launch(new LaunchRequest(SERVICE, "web-5", "no-such-tag", Map.of()))));
        assertTrue(missing.getMessage().contains("the registry has no such image"), missing.getMessage());

        DockerException unreachable = seen(assertThrows(DockerException.class,
                () -> client.pullImage("127.0.0.1:1/zdd-test:v1", PullListener.NONE)));
        assertTrue(unreachable.getMessage().contains("the daemon cannot reach the registry"), unreachable.getMessage());
        assertTrue(unreachable.getMessage().contains("registry 127.0.0.1:1"), unreachable.getMessage());
    }

    @Test
    @Order(7)
    void credentialsAreNeverSentToAnotherRegistry() {
        IllegalArgumentException e = seen(assertThrows(IllegalArgumentException.class,
                () -> client.pullImage("127.0.0.1:1/zdd-test:v1", registry.credentials(), PullListener.NONE)));
        assertTrue(e.getMessage().contains("credentials for registry " + registry.address()), e.getMessage());
        IllegalArgumentException bad = seen(assertThrows(IllegalArgumentException.class,
                () -> client.pullImage(registry.address() + "/Zdd-Test:v1", PullListener.NONE)));
        assertTrue(bad.getMessage().contains("image '" + registry.address() + "/Zdd-Test:v1'"), bad.getMessage());
    }

    @Test
    @Order(8)
    void thePasswordAppearsNowhere() {
        SEEN.add(registry.credentials().toString());
        SEEN.add(registry.toString());
        SEEN.add(client.toString());
        assertFalse(SEEN.isEmpty());
        List<String> logs = CapturedLogs.lines();
        assertTrue(logs.stream().anyMatch(line -> line.contains("pulled " + image)), "the pulls were logged");
        logs.stream().filter(line -> line.contains("pulled " + image) || line.contains("pushed " + image))
                .forEach(line -> System.err.println("[zdd] " + line)); // timings for docs/docker.md
        for (String text : SEEN) {
            assertFalse(text.contains(PASSWORD), "password in: " + text);
            assertFalse(text.contains(WRONG_PASSWORD), "wrong password in: " + text);
        }
        for (String line : logs) {
            assertFalse(line.contains(PASSWORD), "password in a log line: " + line);
            assertFalse(line.contains(WRONG_PASSWORD), "wrong password in a log line: " + line);
        }
        assertEquals(-1, registry.credentials().toString().indexOf(PASSWORD));
    }
}
