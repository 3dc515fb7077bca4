package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.ssh.internal.Shell;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A command line for a remote host, built from validated parts and rendered with every part single-quoted, so that
 * nothing a user passes is read by the remote shell as syntax. The program is an absolute {@link RemotePath} or a bare
 * program name ({@link #PROGRAM}); each argument must match {@link #ARGUMENT} (letters, digits and
 * {@code @ % + = : , . / _ -}: enough for {@code -jar}, {@code --server.port=8081}, {@code -Xmx256m}, paths and URLs
 * without a query; no spaces, quotes, '$', '`', '\', ';', '|', '&', '<', '>', '*', '?', '~' or control characters).
 *
 * <pre>{@code
 * RemoteCommand.of("/usr/bin/java", "-jar", "/opt/shop/shop-1.5.0.jar", "--server.port=8081")
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class RemoteCommand {
    /** A bare program name, looked up on the remote PATH: letters, digits and {@code . _ + -}, not starting with '-'. */
    public static final Pattern PROGRAM = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}");
    /** One argument: letters, digits and {@code @ % + = : , . / _ -}, 0 to 4096 characters. */
    public static final Pattern ARGUMENT = Pattern.compile("[A-Za-z0-9@%+=:,./_-]{0,4096}");

    private final List<String> parts;
    private final RemotePath outputFile;

    private RemoteCommand(List<String> parts) {
        this(parts, null);
    }

    private RemoteCommand(List<String> parts, RemotePath outputFile) {
        this.parts = List.copyOf(parts);
        this.outputFile = outputFile;
    }

    /**
     * This command with standard input from {@code /dev/null} and standard output and error appended to {@code file}
     * on the host (for a program that daemonizes and must not hold the SSH channel open, like nginx).
     */
    public RemoteCommand withOutputTo(RemotePath file) {
        return new RemoteCommand(parts, Arguments.notNull("file", file));
    }

    /** A command from a program and its arguments; throws IllegalArgumentException naming the first bad part. */
    public static RemoteCommand of(String program, String... args) {
        List<String> all = new ArrayList<>();
        all.add(program);
        all.addAll(List.of(args));
        return of(all);
    }

    /** A command from an argument list (program first); throws IllegalArgumentException naming the first bad part. */
    public static RemoteCommand of(List<String> command) {
        Arguments.notNull("command", command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        checkProgram("command[0]", command.get(0));
        for (int i = 1; i < command.size(); i++) {
            checkArgument("command[" + i + "]", command.get(i));
        }
        return new RemoteCommand(command);
    }

    /** Validates a program: an absolute {@link RemotePath} or a bare name matching {@link #PROGRAM}. */
    public static String checkProgram(String field, String program) {
        Arguments.notNull(field, program);
        if (program.startsWith("/")) {
            RemotePath.of(field, program);
            return program;
        }
        return Arguments.matches(field, program, PROGRAM,
                "an absolute path or a program name (letters, digits and . _ + -, not starting with '-')");
    }

    /** Validates one argument against {@link #ARGUMENT}. */
    public static String checkArgument(String field, String argument) {
        return Arguments.matches(field, argument, ARGUMENT,
                "letters, digits and @ % + = : , . / _ - only (no spaces, quotes or shell characters)");
    }

    /** The parts, program first. */
    public List<String> parts() {
        return parts;
    }

    /** This command followed by more (validated) arguments. */
    public RemoteCommand with(String... more) {
        List<String> all = new ArrayList<>(parts);
        for (int i = 0; i < more.length; i++) {
            checkArgument("command[" + (parts.size() + i) + "]", more[i]);
            all.add(more[i]);
        }
        return new RemoteCommand(all, outputFile);
    }

    /** The shell line: every part single-quoted, separated by spaces (plus the redirection, if any). */
    public String toShellLine() {
        return outputFile == null ? Shell.join(parts)
                : Shell.join(parts) + " </dev/null >>" + Shell.quote(outputFile.value()) + " 2>&1";
    }

    @Override
    public String toString() {
        return toShellLine();
    }
}
