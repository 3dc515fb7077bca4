package dev.zdd.core.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How integration tests find their servers: only a regular executable file counts (a binary masked with a bind-mounted
 * /dev/null, as .ci/without-servers.sh does, is "not installed"), and a missing one is a skip with a reason naming what
 * to install, or a failure under ZDD_REQUIRE_INTEGRATION=true.
 */
class IntegrationEnvironmentTest {
    /** A name no real program has, so that the usual sbin/bin folders never answer for it. */
    private final String program = "zdd-test-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path dir;

    private Path executable(Path folder, String name) throws Exception {
        Files.createDirectories(folder);
        Path p = Files.writeString(folder.resolve(name), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void findsARegularExecutableOnThePath() throws Exception {
        Path exe = executable(dir.resolve("b"), program);
        String path = dir.resolve("a") + File.pathSeparator + dir.resolve("b");
        assertEquals(Optional.of(exe), IntegrationEnvironment.locate(program, path));
    }

    /** Regression (issue 14): detection must see through the masks CI uses to prove the suite passes without servers. */
    @Test
    void aMaskedNonExecutableOrDirectoryProgramIsNotInstalled() throws Exception {
        Path devNull = Path.of("/dev/null");
        Path masked = Files.createSymbolicLink(Files.createDirectories(dir.resolve("masked")).resolve(program), devNull);
        assertTrue(Files.exists(masked), "the mask resolves to a character device");
        assertEquals(Optional.empty(), IntegrationEnvironment.locate(program, masked.getParent().toString()));

        Path plain = Files.writeString(Files.createDirectories(dir.resolve("plain")).resolve(program), "not executable");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
        // root may read anything, but not execute a file without any x bit
        assertEquals(Optional.empty(), IntegrationEnvironment.locate(program, plain.getParent().toString()));

        Path folder = Files.createDirectories(dir.resolve("folder").resolve(program));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(Optional.empty(), IntegrationEnvironment.locate(program, folder.getParent().toString()));

        // a mask earlier on the PATH does not hide a real program later on it
        Path real = executable(dir.resolve("real"), program);
        assertEquals(Optional.of(real), IntegrationEnvironment.locate(program,
                String.join(File.pathSeparator, masked.getParent().toString(), plain.getParent().toString(),
                        folder.getParent().toString(), real.getParent().toString())));
    }

    @Test
    void anEmptyPathEntryIsNotTheWorkingDirectory() {
        assertEquals(Optional.empty(), IntegrationEnvironment.locate(program, File.pathSeparator));
        assertEquals(Optional.empty(), IntegrationEnvironment.locate(program, null));
    }

    @Test
    void theReasonNamesEveryMissingProgramAndTheInstallHint() throws Exception {
        Path exe = executable(dir, "present");
        Optional<String> why = IntegrationEnvironment.missing(
                p -> p.equals("present") ? Optional.of(exe) : Optional.empty(),
                "apt-get install docker-registry apache2-utils", "docker-registry", "present", "htpasswd");
        assertEquals(Optional.of("docker-registry, htpasswd are not installed (apt-get install docker-registry"
                + " apache2-utils)"), why);
        assertEquals(Optional.of("busybox is not installed (apt-get install busybox-static)"),
                IntegrationEnvironment.missing(p -> Optional.empty(), "apt-get install busybox-static", "busybox"));
        assertEquals(Optional.empty(), IntegrationEnvironment.missing(p -> Optional.of(exe),
                "apt-get install busybox-static", "busybox", "present"));
    }

    @Test
    void whenRequiredAMissingProgramIsAFailureNotASkip() {
        AssertionError e = assertThrows(AssertionError.class, () -> IntegrationEnvironment.unavailable(true,
                "busybox is not installed (apt-get install busybox-static)"));
        assertEquals("busybox is not installed (apt-get install busybox-static); ZDD_REQUIRE_INTEGRATION=true, so this"
                + " integration test must not skip", e.getMessage());
    }

    @Test
    void badArgumentsNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IntegrationEnvironment.locate("/usr/sbin/nginx"));
        assertEquals("program '/usr/sbin/nginx' is invalid: expected a plain file name such as nginx", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IntegrationEnvironment.locate(".."));
        assertThrows(IllegalArgumentException.class, () -> IntegrationEnvironment.whyUnavailable(" ", "nginx"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> IntegrationEnvironment.whyUnavailable("apt-get install nginx"));
        assertEquals("programs is empty: expected at least one program such as nginx", none.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> IntegrationEnvironment.whyUnavailable("apt-get install nginx", "nginx", null));
    }

    @Test
    void theRealLookupFindsAProgramEveryMachineHas() {
        Optional<Path> sh = IntegrationEnvironment.locate("sh");
        assertTrue(sh.isPresent(), "sh on the PATH or in /usr/bin");
        assertTrue(Files.isRegularFile(sh.get()) && Files.isExecutable(sh.get()), sh.get().toString());
        assertEquals(Optional.empty(), IntegrationEnvironment.whyUnavailable("apt-get install dash", "sh"));
    }
}
