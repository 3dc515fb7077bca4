package dev.zdd.ssh.internal;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;

/**
 * Checks server host keys against one known_hosts file and never accepts anything else: an unknown host or a changed
 * key is refused, and why (host, file, fingerprints) is kept on the session for the error message. Never writes the
 * file. Thread-safe.
 */
public final class HostKeyVerifier extends KnownHostsServerKeyVerifier {
    /** Why the last host key of a session was refused. */
    public static final AttributeRepository.AttributeKey<String> REFUSAL = new AttributeRepository.AttributeKey<>();

    private final Path file;

    /** A verifier for {@code knownHosts}. */
    public HostKeyVerifier(Path knownHosts) {
        super(RejectAllServerKeyVerifier.INSTANCE, knownHosts);
        this.file = knownHosts;
        setModifiedServerKeyAcceptor(this::refuseModified);
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
        session.setAttribute(REFUSAL, "the host key of " + where(remote) + " is not in known_hosts " + file
                + " (the server offered " + describe(serverKey) + "); refused. Check that fingerprint out of band"
                + " (ssh-keygen -lf on the server's host key) and add the key to " + file);
        return false;
    }

    private boolean refuseModified(ClientSession session, SocketAddress remote, KnownHostEntry entry, PublicKey expected,
                                   PublicKey actual) {
        session.setAttribute(REFUSAL, "HOST KEY CHANGED for " + where(remote) + ": known_hosts " + file + " has "
                + describe(expected) + " but the server offered " + describe(actual) + "; refused (someone may be"
                + " in the middle, or the host was reinstalled: check out of band, then fix " + file + ")");
        return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
        session.setAttribute(REFUSAL, "the host key of " + where(remote) + " (" + describe(serverKey) + ") is marked"
                + " @revoked in " + file + "; refused");
        super.handleRevokedKey(session, remote, serverKey);
    }

    private static String where(SocketAddress remote) {
        if (remote instanceof java.net.InetSocketAddress a) {
            return a.getHostString() + ":" + a.getPort();
        }
        return String.valueOf(remote);
    }

    /** {@code ssh-ed25519 SHA256:...}. */
    public static String describe(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }
}
