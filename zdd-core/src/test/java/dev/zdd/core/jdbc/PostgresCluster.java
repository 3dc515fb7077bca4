package dev.zdd.core.jdbc;

import dev.zdd.core.testing.IntegrationEnvironment;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private PostgreSQL cluster for tests: {@code initdb} into a temporary directory, {@code pg_ctl start} on a free port
 * of 127.0.0.1 (socket in the same directory), stopped and removed by {@link #close()}. Binaries are found under
 * {@code /usr/lib/postgresql/<version>/bin} (Debian's layout, highest version first) or on the PATH. PostgreSQL refuses
 * to run as root: as root, every command runs as the unprivileged user {@code nobody} through {@code runuser}, in a
 * directory that user owns. {@link #startOrSkip()} follows {@link IntegrationEnvironment}: missing binaries skip the
 * test with a message (or fail it when integration tests are required). Not thread-safe.
 */
public final class PostgresCluster implements AutoCloseable {
    public static final String INSTALL_HINT = "apt-get install postgresql";
    private static final String USER = "zdd";
    private static final long COMMAND_SECONDS = 90;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asNobody;

    private PostgresCluster(Path bin, Path dir, int port, boolean asNobody) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asNobody = asNobody;
    }

    /** A started cluster, or empty (the reason printed) when PostgreSQL is not installed and may be skipped. */
    public static Optional<PostgresCluster> startOrSkip() throws IOException, InterruptedException {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            IntegrationEnvironment.unavailable("PostgreSQL (initdb, pg_ctl, postgres) is not installed (" + INSTALL_HINT + ")");
            return Optional.empty();
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root && IntegrationEnvironment.locate("runuser").isEmpty()) {
            IntegrationEnvironment.unavailable("runuser is not installed (apt-get install util-linux): PostgreSQL must not"
                    + " run as root");
            return Optional.empty();
        }
        Path dir = Files.createTempDirectory("zdd-pg-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if (root) {
            UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(dir, nobody);
        }
        PostgresCluster c = new PostgresCluster(bin.get(), dir, freePort(), root);
        try {
            c.run("initdb", "-D", c.data.toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync");
            c.start();
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return Optional.of(c);
    }

    /** The newest bin directory holding initdb, pg_ctl and postgres as regular executable files. */
    static Optional<Path> binaries() {
        List<Path> candidates = new ArrayList<>();
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
                for (Path v : versions) {
                    candidates.add(v.resolve("bin"));
                }
            } catch (IOException e) {
                // fall through to the PATH
            }
        }
        candidates.sort(Comparator.comparing((Path p) -> versionOf(p)).reversed());
        IntegrationEnvironment.locate("initdb").ifPresent(p -> candidates.add(p.getParent()));
        for (Path b : candidates) {
            if (usable(b.resolve("initdb")) && usable(b.resolve("pg_ctl")) && usable(b.resolve("postgres"))) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    private static int versionOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean usable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    /** Starts (or restarts after {@link #stop()}) the server and waits until it accepts connections. */
    public void start() throws IOException, InterruptedException {
        run("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
                "start");
    }

    /** Stops the server (fast shutdown: open connections are cut). */
    public void stop() throws IOException, InterruptedException {
        run("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    public int port() {
        return port;
    }

    /** A data source on the cluster's {@code postgres} database with short connect and socket timeouts. */
    public DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName("postgres");
        ds.setUser(USER);
        ds.setConnectTimeout(2);
        ds.setSocketTimeout(5);
        ds.setLoginTimeout(3);
        return ds;
    }

    /** The JDBC URL (for child JVMs). */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER + "&connectTimeout=2&socketTimeout=5"
                + "&loginTimeout=3";
    }

    private void run(String program, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asNobody) {
            cmd.addAll(List.of(IntegrationEnvironment.locate("runuser").orElseThrow().toString(), "-u", "nobody", "--"));
        }
        cmd.add(bin.resolve(program).toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("zdd-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(Path.of("/").toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(program + " did not finish within " + COMMAND_SECONDS + " s: " + Files.readString(out));
            }
            if (p.exitValue() != 0) {
                String log = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
                throw new IOException(cmd + " exited " + p.exitValue() + ": " + Files.readString(out) + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Stops the server if running and removes the directory. */
    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stop();
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("[zdd] cannot stop the test PostgreSQL in " + dir + ": " + e);
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("[zdd] cannot remove " + dir + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "PostgresCluster[127.0.0.1:" + port + ", " + dir + "]";
    }
}
