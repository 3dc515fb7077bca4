package dev.zdd.core.testing;

import dev.zdd.api.Arguments;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Tells integration tests whether a real external program (nginx, haproxy, dockerd) is there, and whether its absence
 * is a skip or a failure.
 *
 * <p>Where the environment variable {@value #REQUIRE_VARIABLE} is {@code true} (CI sets it after installing everything),
 * a missing program is a failure: {@link #require(String, String)} throws {@link AssertionError}. Elsewhere it returns
 * empty and the test skips with a message that says what to install. Framework-independent; use it with JUnit as
 * {@code assumeTrue(IntegrationEnvironment.find("nginx", "apt-get install nginx").isPresent())}, or, for a test that
 * needs several programs, {@code IntegrationEnvironment.whyUnavailable("apt-get install docker-registry apache2-utils",
 * "docker-registry", "htpasswd").ifPresent(Assumptions::abort)}. Thread-safe.
 *
 * <p>A program counts as installed when a regular, executable file of that name is on the {@code PATH} or in a usual
 * sbin/bin folder: a file masked by a bind-mounted {@code /dev/null} (as {@code .ci/without-servers.sh} does) or a
 * directory of that name does not count.
 */
public final class IntegrationEnvironment {
    /** The environment variable that turns a missing program into a failure. */
    public static final String REQUIRE_VARIABLE = "ZDD_REQUIRE_INTEGRATION";

    private static final Pattern PROGRAM = Pattern.compile("[A-Za-z0-9_+][A-Za-z0-9_.+-]{0,63}");
    private static final Pattern HINT = Pattern.compile("\\S.{0,199}");
    private static final String[] EXTRA_DIRS = {"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"};

    private IntegrationEnvironment() {
    }

    /** {@code true} when {@value #REQUIRE_VARIABLE} is {@code true}: nothing may skip. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv(REQUIRE_VARIABLE));
    }

    /**
     * The executable's path when it is on the PATH or in a usual sbin/bin folder: a regular file (after following
     * symbolic links) that may be executed.
     */
    public static Optional<Path> locate(String program) {
        return locate(program, System.getenv("PATH"));
    }

    static Optional<Path> locate(String program, String pathVariable) {
        Arguments.matches("program", program, PROGRAM, "a plain file name such as nginx");
        List<String> dirs = new ArrayList<>();
        if (pathVariable != null) {
            dirs.addAll(List.of(pathVariable.split(File.pathSeparator)));
        }
        dirs.addAll(List.of(EXTRA_DIRS));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue; // an empty PATH entry means the working directory: never trust it for a server binary
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Why an integration test that needs all of {@code programs} cannot run, or empty when every one is installed.
     * When one is missing: throws {@link AssertionError} if {@link #required()}, else prints the reason and returns
     * it, naming the missing programs and {@code installHint}, for the test to skip with (e.g.
     * {@code .ifPresent(Assumptions::abort)}).
     *
     * @param installHint what to run to get them, e.g. {@code apt-get install docker-registry apache2-utils}
     * @param programs    plain file names looked up like {@link #locate(String)}, e.g. {@code busybox}
     */
    public static Optional<String> whyUnavailable(String installHint, String... programs) {
        Optional<String> why = missing(IntegrationEnvironment::locate, installHint, programs);
        why.ifPresent(IntegrationEnvironment::unavailable);
        return why;
    }

    /** The reason naming every one of {@code programs} that {@code locator} does not find, or empty. */
    static Optional<String> missing(Function<String, Optional<Path>> locator, String installHint, String... programs) {
        Arguments.matches("installHint", installHint, HINT, "what to install, e.g. apt-get install nginx");
        if (Arguments.notNull("programs", programs).length == 0) {
            throw new IllegalArgumentException("programs is empty: expected at least one program such as nginx");
        }
        List<String> missing = new ArrayList<>();
        for (String program : programs) {
            if (locator.apply(program).isEmpty()) {
                missing.add(program);
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " not installed ("
                + installHint + ")");
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
        unavailable(required(), reason);
    }

    static void unavailable(boolean required, String reason) {
        if (required) {
            throw new AssertionError(reason + "; " + REQUIRE_VARIABLE + "=true, so this integration test must not skip");
        }
        System.err.println("[zdd] skipping integration test: " + reason);
    }

    /** Like {@link #find(String, String)} but throws {@link AssertionError} whenever the program is missing. */
    public static Path require(String program, String installHint) {
        return locate(program).orElseThrow(() -> new AssertionError(program + " is not installed (" + installHint + ")"));
    }
}
