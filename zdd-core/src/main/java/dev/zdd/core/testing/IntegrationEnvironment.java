package dev.zdd.core.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Tells integration tests whether a real external program (nginx, haproxy, dockerd) is there, and whether its absence
 * is a skip or a failure.
 *
 * <p>Where the environment variable {@value #REQUIRE_VARIABLE} is {@code true} (CI sets it after installing everything),
 * a missing program is a failure: {@link #require(String, String)} throws {@link AssertionError}. Elsewhere it returns
 * empty and the test skips with a message that says what to install. Framework-independent; use it with JUnit as
 * {@code assumeTrue(IntegrationEnvironment.find("nginx", "apt-get install nginx").isPresent())}. Thread-safe.
 */
public final class IntegrationEnvironment {
    /** The environment variable that turns a missing program into a failure. */
    public static final String REQUIRE_VARIABLE = "ZDD_REQUIRE_INTEGRATION";

    private static final String[] EXTRA_DIRS = {"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"};

    private IntegrationEnvironment() {
    }

    /** {@code true} when {@value #REQUIRE_VARIABLE} is {@code true}: nothing may skip. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv(REQUIRE_VARIABLE));
    }

    /** The executable's path when it is on the PATH or in a usual sbin/bin folder. */
    public static Optional<Path> locate(String program) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, program);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        for (String dir : EXTRA_DIRS) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Finds {@code program}. When it is missing: throws {@link AssertionError} if {@link #required()}, else prints why
     * the test is skipped and returns empty.
     *
     * @param installHint what to run to get it, e.g. {@code apt-get install nginx}
     */
    public static Optional<Path> find(String program, String installHint) {
        Optional<Path> p = locate(program);
        if (p.isEmpty()) {
            unavailable(program + " is not installed (" + installHint + ")");
        }
        return p;
    }

    /**
     * Reports that something an integration test needs is unavailable: throws {@link AssertionError} if
     * {@link #required()}, else prints the reason (the caller then skips).
     */
    public static void unavailable(String reason) {
        if (required()) {
            throw new AssertionError(reason + "; " + REQUIRE_VARIABLE + "=true, so this integration test must not skip");
        }
        System.err.println("[zdd] skipping integration test: " + reason);
    }

    /** Like {@link #find(String, String)} but throws {@link AssertionError} whenever the program is missing. */
    public static Path require(String program, String installHint) {
        return locate(program).orElseThrow(() -> new AssertionError(program + " is not installed (" + installHint + ")"));
    }
}
