package dev.zdd.docker.testing;

import dev.zdd.api.Arguments;
import dev.zdd.docker.DockerClient;
import dev.zdd.docker.Healthcheck;
import dev.zdd.docker.internal.Tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * zdd's test image, made with no registry: the static busybox binary and a start script imported as a root
 * filesystem ({@code docker import}, here through the API). {@code GET /} answers the version, {@code GET /health}
 * answers {@code ok}; the {@link Behaviour} decides whether the health URL works or the app exits at once. The same
 * start script is used by {@code .ci/test-image.sh}.
 *
 * <p>Stateless; thread-safe (the daemon serialises imports).
 */
public final class TestImage {
    /** Default repository: {@code zdd-test}. */
    public static final String DEFAULT_REPOSITORY = "zdd-test";
    /** The port the app listens on inside the container. */
    public static final int PORT = 8080;
    /** Where the static busybox is looked for (Debian's busybox-static). */
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    /** How a version of the test app behaves. */
    public enum Behaviour {
        /** Serves its version, /health answers 200. */
        HEALTHY,
        /** Serves its version, /health answers 404 so its HEALTHCHECK fails. */
        UNHEALTHY,
        /** Starts, then after 2 s prints a fatal error and exits with code 3 (like an app that cannot reach its DB). */
        CRASH
    }

    private TestImage() {
    }

    /**
     * A HEALTHCHECK for the test app: {@code wget http://127.0.0.1:8080/health} inside the container, every
     * {@code interval}, 2 retries.
     */
    public static Healthcheck healthcheck(Duration interval) {
        return Healthcheck.exec("/bin/busybox", "wget", "-q", "-O-", "http://127.0.0.1:" + PORT + "/health")
                .withInterval(interval).withTimeout(Duration.ofSeconds(2)).withRetries(2);
    }

    /** Label holding a digest of what the image was made from, so that a stale image is rebuilt. */
    public static final String CONTENT_LABEL = "dev.zdd.test-image";

    /**
     * Makes {@code repository:version} on the daemon unless the same content is there already.
     *
     * @return {@code true} when it was imported now
     */
    public static boolean ensure(DockerClient client, String repository, String version, Behaviour behaviour) {
        List<String> changes = changes(version, behaviour);
        String digest = digest(changes);
        boolean current = client.inspectImage(repository + ":" + version)
                .map(i -> digest.equals(i.labels().get(CONTENT_LABEL))).orElse(false);
        if (current) {
            return false;
        }
        build(client, repository, version, behaviour);
        return true;
    }

    /** Imports {@code repository:version} (replacing the tag if it exists). */
    public static void build(DockerClient client, String repository, String version, Behaviour behaviour) {
        List<String> changes = changes(version, behaviour);
        changes.add("LABEL " + CONTENT_LABEL + "=" + digest(changes));
        client.importImage(rootfs(), repository, version, changes);
    }

    /**
     * Imports {@code repository:version} with a file {@code /zdd-marker} holding {@code marker}, so that its layer is
     * shared with no other image: once this image is removed, the daemon has none of it, and a pull must download it.
     */
    public static void buildUnique(DockerClient client, String repository, String version, Behaviour behaviour,
            String marker) {
        Arguments.notNull("marker", marker);
        List<String> changes = changes(version, behaviour);
        changes.add("LABEL " + CONTENT_LABEL + "=unique");
        client.importImage(rootfs(marker), repository, version, changes);
    }

    private static String digest(List<String> changes) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(startScript());
            md.update(Long.toString(Files.size(BUSYBOX)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            changes.forEach(c -> md.update(c.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> changes(String version, Behaviour behaviour) {
        Arguments.notNull("behaviour", behaviour);
        List<String> changes = new ArrayList<>();
        changes.add("ENV ZDD_VERSION=" + Arguments.matches("version", version,
                java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"), "an image tag"));
        if (behaviour == Behaviour.UNHEALTHY) {
            changes.add("ENV ZDD_HEALTHY=false");
        } else if (behaviour == Behaviour.CRASH) {
            changes.add("ENV ZDD_EXIT=cannot-open-database ZDD_EXIT_AFTER=2");
        }
        changes.add("EXPOSE " + PORT);
        changes.add("CMD [\"/start\"]");
        return changes;
    }

    /** The root filesystem as a tar: /bin/busybox, a few symlinks, /start, /www, /tmp. */
    public static byte[] rootfs() {
        return rootfs(null);
    }

    private static byte[] rootfs(String marker) {
        if (!Files.isRegularFile(BUSYBOX)) {
            throw new IllegalStateException(BUSYBOX + " is missing (apt-get install busybox-static)");
        }
        try {
            Tar tar = new Tar().directory("bin", 0755).directory("www", 0755).directory("tmp", 01777)
                    .file("bin/busybox", 0755, Files.readAllBytes(BUSYBOX));
            for (String applet : List.of("sh", "httpd", "wget", "echo", "mkdir", "cat", "sleep")) {
                tar.symlink("bin/" + applet, "busybox");
            }
            if (marker != null) {
                tar.file("zdd-marker", 0644, marker.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return tar.file("start", 0755, startScript()).finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUSYBOX, e);
        }
    }

    private static byte[] startScript() throws IOException {
        try (InputStream in = TestImage.class.getResourceAsStream("start.sh")) {
            if (in == null) {
                throw new IOException("resource dev/zdd/docker/testing/start.sh is missing");
            }
            return in.readAllBytes();
        }
    }
}
