package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.ssh.internal.ChannelSocket;
import dev.zdd.ssh.internal.HostKeyVerifier;
import dev.zdd.ssh.internal.LimitedBuffer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.StreamingChannel;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SSH connections to remote hosts, one per {@link SshHost}, opened on first use and reused by every later command,
 * forward and socket (an SSH connection multiplexes channels). Built on Apache MINA SSHD.
 *
 * <ul>
 *   <li>Host keys are checked against {@link SshConfig#knownHosts()}: an unknown host or a changed key is refused with a
 *       {@link HostKeyException} naming the host and the fingerprints; the file is never written.</li>
 *   <li>Only public-key authentication, with the configured key files (read once, when the pool is opened); a refused
 *       login is an {@link SshException} naming the user, host and the fingerprints of the keys offered. No
 *       {@code ~/.ssh/config}, no default keys, no agent.</li>
 *   <li>Every wait is bounded: connect plus key exchange, authentication, opening a channel and each command.</li>
 *   <li>A connection that dropped (the server closed it, keep-alives went unanswered) is replaced on the next use, with
 *       at most {@link SshConfig#reconnects()} new attempts (pauses doubling from {@link SshConfig#reconnectDelay()}).
 *       A refused host key or login is not retried. A command cut off by a drop is reported as failed, never rerun
 *       (it may have run); only a command whose channel could not even be opened is retried on a new connection.</li>
 * </ul>
 *
 * <p>Thread-safe: any number of threads may run commands on the same or different hosts at once. Close it to close
 * every connection.
 */
public final class SshClientPool implements AutoCloseable {
    /** Most bytes kept of a command's standard output: {@value} (more is dropped). */
    public static final int MAX_OUTPUT = 4 * 1024 * 1024;
    /** Most bytes kept of a command's standard error: {@value}. */
    public static final int MAX_ERROR = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SshClientPool.class);

    private final SshConfig config;
    private final SshClient client;
    private final String keysOffered;
    private final Map<SshHost, Slot> slots = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private SshClientPool(SshConfig config, SshClient client, String keysOffered) {
        this.config = config;
        this.client = client;
        this.keysOffered = keysOffered;
    }

    /**
     * Reads the key files and starts the client (no connection is made yet).
     *
     * @throws SshException when a key file or the known_hosts file cannot be read
     */
    public static SshClientPool open(SshConfig config) {
        Arguments.notNull("config", config);
        if (!Files.isReadable(config.knownHosts())) {
            throw new SshException("known_hosts file " + config.knownHosts() + " cannot be read: host keys are always"
                    + " verified, so it must exist (ssh-keyscan the hosts, check the fingerprints, then write it)");
        }
        List<KeyPair> keys = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : config.identities()) {
            if (!Files.isReadable(p)) {
                throw new SshException("identity file " + p + " cannot be read");
            }
            try {
                int before = keys.size();
                for (KeyPair kp : new FileKeyPairProvider(p).loadKeys(null)) {
                    keys.add(kp);
                    names.add(p.getFileName() + " (" + HostKeyVerifier.describe(kp.getPublic()) + ")");
                }
                if (keys.size() == before) {
                    throw new SshException("identity file " + p + " holds no key");
                }
            } catch (RuntimeException e) {
                if (e instanceof SshException s) {
                    throw s;
                }
                throw new SshException("identity file " + p + " cannot be loaded (OpenSSH or PEM private key without"
                        + " a passphrase expected): " + e.getClass().getSimpleName(), e);
            }
        }
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new HostKeyVerifier(config.knownHosts()));
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(keys));
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, config.keepAlive());
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, config.keepAliveMaxMissed());
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, config.keepAlive());
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, config.connectTimeout());
        CoreModuleProperties.AUTH_TIMEOUT.set(client, config.authTimeout());
        CoreModuleProperties.CHANNEL_OPEN_TIMEOUT.set(client, config.commandTimeout());
        client.start();
        return new SshClientPool(config, client, String.join(", ", names));
    }

    /** The configuration. */
    public SshConfig config() {
        return config;
    }

    /**
     * Runs {@code command} on {@code host} and returns its exit code and output; bounded by {@code timeout} (channel
     * open included). A non-zero exit is a result, not an exception.
     *
     * @throws SshException when the host cannot be reached or refused, or the command timed out or was cut off
     */
    public ExecResult exec(SshHost host, RemoteCommand command, Duration timeout) {
        Arguments.notNull("command", command);
        return run(host, command.toShellLine(), null, timeout);
    }

    /** As {@link #exec(SshHost, RemoteCommand, Duration)} with {@link SshConfig#commandTimeout()}. */
    public ExecResult exec(SshHost host, RemoteCommand command) {
        return exec(host, command, config.commandTimeout());
    }

    /**
     * Runs a shell script assembled by zdd itself from fixed text and {@link dev.zdd.ssh.internal.Shell#quote quoted},
     * validated parts; never a string a user passed.
     */
    ExecResult run(SshHost host, String script, byte[] stdin, Duration timeout) {
        Arguments.notNull("host", host);
        Arguments.positive("timeout", timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        ChannelExec ch = null;
        int attempt = 0;
        while (true) {
            ClientSession session = session(host, deadline);
            try {
                ch = session.createExecChannel(script);
                LimitedBuffer out = new LimitedBuffer(MAX_OUTPUT);
                LimitedBuffer err = new LimitedBuffer(MAX_ERROR);
                ch.setOut(out);
                ch.setErr(err);
                ch.open().verify(remaining(deadline));
                try (OutputStream in = ch.getInvertedIn()) {
                    if (stdin != null) {
                        in.write(stdin);
                        in.flush();
                    }
                }
                Set<ClientChannelEvent> ev = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED),
                        Math.max(1, remaining(deadline).toMillis()));
                if (!ev.contains(ClientChannelEvent.CLOSED)) {
                    ch.close(true);
                    throw new SshException("ssh " + host + ": command timed out after " + timeout.toMillis()
                            + " ms and was abandoned (it may still run on the host): " + describe(script));
                }
                Integer status = ch.getExitStatus();
                if (status == null && !session.isOpen()) {
                    drop(host, session);
                    throw new SshException("ssh " + host + ": the connection dropped while running "
                            + describe(script) + " (it may or may not have run)");
                }
                if (out.cut()) {
                    throw new SshException("ssh " + host + ": output of " + describe(script) + " exceeds "
                            + MAX_OUTPUT + " bytes");
                }
                return new ExecResult(status == null ? ExecResult.SIGNALLED : status, out.text(), err.text());
            } catch (IOException e) {
                boolean opened = ch != null && ch.isOpen();
                if (ch != null) {
                    ch.close(true);
                }
                if (!session.isOpen() || !opened && attempt == 0) {
                    drop(host, session);
                }
                if (System.nanoTime() >= deadline) {
                    throw new SshException("ssh " + host + ": command timed out after " + timeout.toMillis()
                            + " ms " + (opened ? "and was abandoned (it may still run on the host)"
                            : "before its channel opened (it did not start)") + ": " + describe(script), e);
                }
                if (!opened && attempt++ < 1) {
                    LOG.info("ssh {}: could not open a channel ({}); retrying on a new connection", host, e.toString());
                    continue;
                }
                throw new SshException("ssh " + host + ": " + describe(script) + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A TCP connection from {@code host} to {@code targetHost:targetPort} as the host sees it (an SSH
     * {@code direct-tcpip} channel, as {@code ssh -L} opens for each connection), as a connected {@link Socket} whose
     * {@link Socket#setSoTimeout(int) read timeout} is honoured. One new channel per call.
     *
     * @throws IOException when the host cannot be reached or the host refuses the forward (e.g. nothing listens)
     */
    public Socket connectVia(SshHost host, String targetHost, int targetPort, Duration timeout) throws IOException {
        SshHost.checkHost("targetHost", targetHost);
        Arguments.range("targetPort", targetPort, 1, 65535);
        long deadline = System.nanoTime() + Arguments.positive("timeout", timeout).toNanos();
        ClientSession session = sessionOrIo(host, deadline);
        ChannelDirectTcpip ch = session.createDirectTcpipChannel(new SshdSocketAddress("127.0.0.1", 0),
                new SshdSocketAddress(targetHost, targetPort));
        return openSocket(host, ch, targetHost + ":" + targetPort + " via ssh " + host, deadline);
    }

    /**
     * Runs {@code command} on {@code host} and returns its standard input and output as a connected {@link Socket}
     * (for {@code docker system dial-stdio}); closing the socket closes the channel. One new channel per call.
     */
    public Socket execSocket(SshHost host, RemoteCommand command, Duration timeout) throws IOException {
        Arguments.notNull("command", command);
        long deadline = System.nanoTime() + Arguments.positive("timeout", timeout).toNanos();
        ClientSession session = sessionOrIo(host, deadline);
        ChannelExec ch = session.createExecChannel(command.toShellLine());
        ch.setErr(new LimitedBuffer(MAX_ERROR));
        return openSocket(host, ch, command.parts().get(0) + " on ssh " + host, deadline);
    }

    private Socket openSocket(SshHost host, ClientChannel ch, String what, long deadline) throws IOException {
        ch.setStreaming(StreamingChannel.Streaming.Sync);
        ChannelSocket.prepare(ch);
        try {
            ch.open().verify(remaining(deadline));
        } catch (IOException | RuntimeException e) {
            ch.close(true);
            throw new IOException("cannot open " + what + ": " + e.getMessage(), e);
        }
        return new ChannelSocket(ch, what);
    }

    private ClientSession sessionOrIo(SshHost host, long deadline) throws IOException {
        try {
            return session(host, deadline);
        } catch (SshException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Whether an authenticated connection to {@code host} is open now. */
    public boolean connected(SshHost host) {
        Slot s = slots.get(host);
        ClientSession cs = s == null ? null : s.session;
        return cs != null && cs.isOpen() && cs.isAuthenticated();
    }

    /**
     * Opens (or checks) the connection to {@code host} now, so that a refused host key or login shows before anything
     * else is done.
     */
    public void connect(SshHost host) {
        session(host, System.nanoTime() + config.connectTimeout().plus(config.authTimeout()).toNanos());
    }

    /** Closes the connection to {@code host}, if any; the next use opens a new one. */
    public void disconnect(SshHost host) {
        Slot s = slots.get(host);
        if (s != null) {
            synchronized (s) {
                if (s.session != null) {
                    s.session.close(true);
                    s.session = null;
                }
            }
        }
    }

    private void drop(SshHost host, ClientSession session) {
        Slot s = slots.get(host);
        if (s != null) {
            synchronized (s) {
                if (s.session == session) {
                    s.session = null;
                }
            }
        }
        session.close(true);
    }

    private ClientSession session(SshHost host, long deadline) {
        Arguments.notNull("host", host);
        if (closed) {
            throw new SshException("ssh " + host + ": the pool is closed");
        }
        Slot slot = slots.computeIfAbsent(host, h -> new Slot());
        synchronized (slot) {
            ClientSession s = slot.session;
            if (s != null && s.isOpen() && s.isAuthenticated()) {
                return s;
            }
            if (s != null) {
                LOG.info("ssh {}: the connection was closed; reconnecting", host);
                s.close(true);
                slot.session = null;
            }
            long delay = config.reconnectDelay().toMillis();
            SshException last = null;
            for (int attempt = 0; attempt <= config.reconnects(); attempt++) {
                if (attempt > 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= delay) {
                        break;
                    }
                    sleep(delay);
                    delay *= 2;
                }
                try {
                    slot.session = connectOnce(host, deadline);
                    return slot.session;
                } catch (HostKeyException e) {
                    throw e;
                } catch (SshException e) {
                    last = e;
                    if (e.getMessage().contains("authentication refused")) {
                        throw e;
                    }
                    LOG.info("ssh {}: attempt {} failed: {}", host, attempt + 1, e.getMessage());
                }
            }
            throw last != null ? last : new SshException("ssh " + host + ": no time left to connect");
        }
    }

    private ClientSession connectOnce(SshHost host, long deadline) {
        ClientSession session = null;
        try {
            Duration connect = min(config.connectTimeout(), remaining(deadline));
            session = client.connect(host.user(), host.host(), host.port()).verify(connect).getSession();
            Duration auth = min(config.authTimeout(), remaining(deadline));
            session.auth().verify(auth);
            LOG.debug("ssh {}: connected", host);
            return session;
        } catch (IOException | RuntimeException e) {
            String refusal = session == null ? null : session.getAttribute(HostKeyVerifier.REFUSAL);
            if (session != null) {
                session.close(true);
            }
            if (refusal != null) {
                throw new HostKeyException("ssh " + host + ": " + refusal, e);
            }
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("No more authentication methods")) {
                throw new SshException("ssh " + host + ": authentication refused for user '" + host.user()
                        + "' (publickey; keys offered: " + keysOffered + "): is the public key in that user's"
                        + " authorized_keys on the host?", e);
            }
            throw new SshException("ssh " + host + ": cannot connect: " + msg, e);
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshException("interrupted while waiting to reconnect", e);
        }
    }

    /** The first words of a script, for messages (never its input). */
    private static String describe(String script) {
        String s = script.length() > 120 ? script.substring(0, 120) + "..." : script;
        return "[" + Arguments.printable(s) + "]";
    }

    /** Closes every connection and stops the client. */
    @Override
    public void close() {
        closed = true;
        for (Slot s : slots.values()) {
            synchronized (s) {
                if (s.session != null) {
                    s.session.close(true);
                    s.session = null;
                }
            }
        }
        try {
            client.stop();
        } catch (RuntimeException e) {
            LOG.debug("stopping the ssh client: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "SshClientPool[" + slots.size() + " hosts, known_hosts " + config.knownHosts() + "]";
    }

    /** One host's connection (guarded by the slot's monitor). */
    private static final class Slot {
        ClientSession session;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String fingerprint(java.security.PublicKey k) {
        return KeyUtils.getFingerPrint(k);
    }
}
