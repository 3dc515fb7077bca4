package dev.zdd.core.launch;

import dev.zdd.api.LaunchException;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link ProcessLauncher} starts a program so that the program's pid is on disk before the program runs:
 * {@code /bin/sh -c 'echo $$ > "$1" || exit 125; shift; exec "$@"' zdd-launch <pidFile> <program> <args...>}. The shell
 * text is a constant; the pid file, the program and every argument are positional parameters, never part of the shell
 * text, so no value can inject anything. {@code exec} keeps the pid (and the environment, which carries the launch
 * token), so the process the launcher holds is the program itself. Package-private; stateless.
 */
final class Spawn {
    /** The shell that writes the pid file and execs the program. */
    static final String SHELL = "/bin/sh";
    /** The constant shell text: no user value is ever interpolated into it. */
    static final String SCRIPT = "echo $$ > \"$1\" || exit 125; shift; exec \"$@\"";
    /** Exit code of the shell when it could not write the pid file. */
    static final int PID_FILE_FAILED = 125;

    private Spawn() {
    }

    /** The argument list that starts {@code args} through the shell, writing the pid to {@code pidFile} first. */
    static List<String> command(Path pidFile, List<String> args) {
        List<String> out = new ArrayList<>(args.size() + 5);
        out.add(SHELL);
        out.add("-c");
        out.add(SCRIPT);
        out.add("zdd-launch");
        out.add(pidFile.toString());
        out.addAll(args);
        return out;
    }

    /**
     * The program as the shell will exec it: a name without '/' resolved on this JVM's {@code PATH} (as the JDK resolves
     * a program it starts), a path checked to be an executable file (relative to {@code workingDirectory}), so that a
     * missing program still fails the launch at once with "cannot start", as it did without the shell.
     */
    static String program(String id, String program, Path workingDirectory) {
        if (program.indexOf('/') >= 0) {
            Path p = workingDirectory.resolve(program);
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new LaunchException("target " + id + ": cannot start " + program + " in " + workingDirectory + ": "
                        + (Files.exists(p) ? "not an executable file" : "no such file"));
            }
            return program;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Path.of(dir).resolve(program);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p.toAbsolutePath().toString();
                }
            }
        }
        throw new LaunchException("target " + id + ": cannot start " + program + " in " + workingDirectory
                + ": not found on this JVM's PATH");
    }

    /** Words explaining an exit code of the shell itself (empty for the program's own codes). */
    static String explain(int exitCode) {
        return switch (exitCode) {
            case PID_FILE_FAILED -> " (the launch shell could not write its pid file)";
            case 126, 127 -> " (the shell could not run the program)";
            default -> "";
        };
    }
}
