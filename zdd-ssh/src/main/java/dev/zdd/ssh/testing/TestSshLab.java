package dev.zdd.ssh.testing;

import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.ssh.SshClientPool;
import dev.zdd.ssh.SshConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Several simulated hosts on this one machine, for tests, demos and benchmarks: each {@link TestSshHost} gets its own
 * loopback address in a per-run block {@code 127.A.B.11}, {@code 127.A.B.12}, ... (A and B random, so that parallel
 * runs on the same machine do not collide), its own sshd, host key and unix user ({@code zddhost1}, {@code zddhost2},
 * ...; see {@link #userFor(int)}). The lab generates the client's ed25519 key and a known_hosts file holding exactly
 * its hosts' keys, and hands out an {@link SshClientPool} configured with both.
 *
 * <p>{@link #create(int)} returns empty (and prints why) when sshd or ssh-keygen is missing, unless
 * {@code ZDD_REQUIRE_INTEGRATION=true}, where it throws {@link AssertionError}. Linux only (all of 127.0.0.0/8 is
 * loopback there). Must run as root (to start sshd for other users). Not thread-safe; close it to stop everything.
 */
public final class TestSshLab implements AutoCloseable {
    /** Prefix of the per-host unix users: {@code zddhost1}, {@code zddhost2}, ... (created by {@code .ci/run}). */
    public static final String USER_PREFIX = "zddhost";

    private final Path dir;
    private final List<TestSshHost> hosts = new ArrayList<>();
    private final Path clientKey;
    private final Path knownHosts;
    private final List<SshClientPool> pools = new ArrayList<>();

    private TestSshLab(Path dir, Path clientKey, Path knownHosts) {
        this.dir = dir;
        this.clientKey = clientKey;
        this.knownHosts = knownHosts;
    }

    /**
     * Starts {@code count} hosts (1 to 9). Empty when sshd is not installed and integration is not required.
     */
    public static Optional<TestSshLab> create(int count) throws IOException {
        return create(count, 1);
    }

    /**
     * Starts {@code count} hosts whose users are {@code zddhost<firstUser>}, {@code zddhost<firstUser+1>}, ...
     */
    public static Optional<TestSshLab> create(int count, int firstUser) throws IOException {
        if (count < 1 || count > 9) {
            throw new IllegalArgumentException("count must be 1 to 9, was " + count);
        }
        List<String> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            users.add(userFor(firstUser + i));
        }
        return createWithUsers(users);
    }

    /**
     * Starts one host per entry of {@code users}, logging in as that user (for example {@code root} for a host whose
     * user must reach a root-owned Docker socket).
     */
    public static Optional<TestSshLab> createWithUsers(List<String> users) throws IOException {
        int count = users.size();
        if (count < 1 || count > 9) {
            throw new IllegalArgumentException("users must name 1 to 9 hosts' users, was " + count);
        }
        Optional<Path> sshd = IntegrationEnvironment.find("sshd", "apt-get install openssh-server");
        Optional<Path> keygen = IntegrationEnvironment.find("ssh-keygen", "apt-get install openssh-client");
        if (sshd.isEmpty() || keygen.isEmpty()) {
            return Optional.empty();
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            IntegrationEnvironment.unavailable("simulated ssh hosts need root (to run sshd for other users)");
            return Optional.empty();
        }
        Path dir = Files.createTempDirectory("zdd-ssh-lab-");
        Path key = dir.resolve("id_ed25519");
        run(List.of(keygen.get().toString(), "-q", "-t", "ed25519", "-N", "", "-C", "zdd-test-client", "-f", key.toString()));
        String pub = Files.readString(Path.of(key + ".pub"), StandardCharsets.US_ASCII).strip();
        TestSshLab lab = new TestSshLab(dir, key, dir.resolve("known_hosts"));
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        String block = "127." + rnd.nextInt(100, 250) + "." + rnd.nextInt(1, 250) + ".";
        try {
            StringBuilder known = new StringBuilder();
            for (int i = 0; i < count; i++) {
                String user = users.get(i);
                TestSshHost h = new TestSshHost(sshd.get(), keygen.get(), "host" + (i + 1), block + (11 + i), user, pub);
                lab.hosts.add(h);
                h.start();
                known.append(h.knownHostsLine()).append('\n');
            }
            Files.writeString(lab.knownHosts, known.toString(), StandardCharsets.US_ASCII);
            return Optional.of(lab);
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /**
     * The unix user of host number {@code n} (1-based): {@code zddhost<n>} when it exists. When it does not: with
     * {@code ZDD_REQUIRE_INTEGRATION=true} an {@link AssertionError}, else {@code root} with a printed note.
     */
    public static String userFor(int n) {
        String user = USER_PREFIX + n;
        if (Files.isDirectory(Path.of("/home", user)) || userExists(user)) {
            return user;
        }
        if (IntegrationEnvironment.required()) {
            throw new AssertionError("unix user " + user + " is missing (useradd -m -p '*' " + user + ", as .ci/run does);"
                    + " ZDD_REQUIRE_INTEGRATION=true, so simulated hosts must each have their own user");
        }
        System.err.println("[zdd] note: unix user " + user + " is missing; the simulated host logs in as root instead");
        return "root";
    }

    private static boolean userExists(String user) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
                if (line.startsWith(user + ":")) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The hosts, in order. */
    public List<TestSshHost> hosts() {
        return List.copyOf(hosts);
    }

    /** Host {@code i} (0-based). */
    public TestSshHost host(int i) {
        return hosts.get(i);
    }

    /** The client's private key (ed25519, no passphrase). */
    public Path clientKey() {
        return clientKey;
    }

    /** A known_hosts file holding exactly the lab's host keys. */
    public Path knownHosts() {
        return knownHosts;
    }

    /** A configuration with the lab's client key and known_hosts. */
    public SshConfig.Builder config() {
        return SshConfig.builder().identity(clientKey).knownHosts(knownHosts);
    }

    /** A new pool with {@link #config()}; closed with the lab. */
    public SshClientPool pool() {
        SshClientPool p = SshClientPool.open(config().build());
        pools.add(p);
        return p;
    }

    /** A temporary directory of the lab (removed on close). */
    public Path dir() {
        return dir;
    }

    /** Closes the pools, stops every sshd and removes the files. */
    @Override
    public void close() {
        pools.forEach(SshClientPool::close);
        hosts.forEach(TestSshHost::close);
        deleteTree(dir);
    }

    static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + cmd, e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(cmd + " failed (exit " + p.exitValue() + "): " + out);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
