package dev.zdd.core.lock;

import dev.zdd.api.Clock;

import java.net.InetAddress;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Who holds (or asks for) a {@link DeploymentLock}: the deployment id, the process id and host of the process running
 * it, and since when.
 *
 * <p>Immutable value; thread-safe.
 *
 * @param deploymentId the deployment
 * @param pid          operating-system process id, positive
 * @param host         host name of the process
 * @param since        when the lock was asked for (the engine's clock)
 */
public record LockOwner(String deploymentId, long pid, String host, Instant since) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");

    /** Validates; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public LockOwner {
        if (deploymentId == null || !ID.matcher(deploymentId).matches()) {
            throw new IllegalArgumentException("lockOwner.deploymentId '" + deploymentId
                    + "' is invalid: expected letters, digits, '.', '_' or '-', at most 128");
        }
        if (pid <= 0) {
            throw new IllegalArgumentException("lockOwner.pid must be positive, was " + pid);
        }
        if (host == null || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("lockOwner.host '" + host + "' is invalid: expected a host name");
        }
        if (since == null) {
            throw new IllegalArgumentException("lockOwner.since must not be null");
        }
    }

    /** The owner for {@code deploymentId} in this process, on this host, since {@code clock.now()}. */
    public static LockOwner current(String deploymentId, Clock clock) {
        return new LockOwner(deploymentId, ProcessHandle.current().pid(), HostName.VALUE, clock.now());
    }

    /** This machine's host name (as {@link #current(String, Clock)} records it). */
    public static String localHost() {
        return HostName.VALUE;
    }

    @Override
    public String toString() {
        return "deployment " + deploymentId + " (pid " + pid + " on host " + host + ", since " + since + ")";
    }

    /** Computed once: the host name, from HOSTNAME, the resolver, or "localhost". */
    private static final class HostName {
        static final String VALUE = compute();

        private static String compute() {
            String env = System.getenv("HOSTNAME");
            if (env != null && HOST.matcher(env).matches()) {
                return env;
            }
            try {
                String h = InetAddress.getLocalHost().getHostName();
                if (HOST.matcher(h).matches()) {
                    return h;
                }
            } catch (java.io.IOException e) {
                // fall through
            }
            return "localhost";
        }
    }
}
