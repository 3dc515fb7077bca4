package dev.zdd.ssh;

import dev.zdd.api.Arguments;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One machine reached over SSH: user, host (a DNS name or an IP literal) and port. Every part is validated when the
 * host is built, so nothing odd reaches a known_hosts lookup, a log line or a remote command; {@link #toString()} is
 * {@code user@host:port}.
 *
 * <pre>{@code
 * SshHost nginx1 = SshHost.builder().user("deploy").host("nginx1.example.net").build();   // port 22
 * SshHost app1 = SshHost.of("deploy", "10.0.0.21", 2222);
 * }</pre>
 *
 * <p>Immutable; thread-safe; value semantics.
 */
public final class SshHost {
    /** Default port: {@value}. */
    public static final int DEFAULT_PORT = 22;
    /** A DNS name: dot-separated labels of letters, digits and '-' (not at either end of a label), at most 253 characters. */
    public static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    /** An IPv4 literal: four decimal octets 0-255. */
    public static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    /** An IPv6 literal (hex groups and colons, optionally an embedded IPv4 tail), without brackets. */
    public static final Pattern IPV6 = Pattern.compile("(?=.*:)[0-9A-Fa-f:.]{2,45}");
    /** A user name the way useradd accepts it: a lower-case letter or '_', then letters, digits, '_' or '-', at most 32. */
    public static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    private final String user;
    private final String host;
    private final int port;

    private SshHost(String user, String host, int port) {
        this.user = user;
        this.host = host;
        this.port = port;
    }

    /** {@code user@host:port}, validated. */
    public static SshHost of(String user, String host, int port) {
        return builder().user(user).host(host).port(port).build();
    }

    /** A builder; user and host are required, the port defaults to {@link #DEFAULT_PORT}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The user to log in as. */
    public String user() {
        return user;
    }

    /** The host name or IP literal (no brackets). */
    public String host() {
        return host;
    }

    /** The TCP port of the SSH server. */
    public int port() {
        return port;
    }

    /** Validates a host name or IP literal; throws IllegalArgumentException naming {@code field} and the value. */
    public static String checkHost(String field, String value) {
        Arguments.notNull(field, value);
        if (IPV4.matcher(value).matches() || HOST_NAME.matcher(value).matches() && !value.matches("[0-9.]+")
                || IPV6.matcher(value).matches()) {
            return value;
        }
        throw new IllegalArgumentException(field + " '" + Arguments.printable(value)
                + "' is not a host name (letters, digits, '-' and '.') or an IP address");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SshHost h && h.port == port && h.user.equals(user) && h.host.equals(host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, host, port);
    }

    @Override
    public String toString() {
        return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Builds an {@link SshHost}. Not thread-safe. */
    public static final class Builder {
        private String user;
        private String host;
        private int port = DEFAULT_PORT;

        private Builder() {
        }

        /** Required. The login user; must match {@link #USER}. */
        public Builder user(String value) {
            user = Arguments.matches("ssh.user", value, USER,
                    "a lower-case letter or '_', then lower-case letters, digits, '_' or '-', at most 32");
            return this;
        }

        /** Required. A DNS name ({@link #HOST_NAME}) or an IPv4/IPv6 literal. */
        public Builder host(String value) {
            host = checkHost("ssh.host", value);
            return this;
        }

        /** The SSH port, 1 to 65535. Default {@link #DEFAULT_PORT}. */
        public Builder port(int value) {
            port = Arguments.range("ssh.port", value, 1, 65535);
            return this;
        }

        /** Builds the host; throws IllegalArgumentException naming a missing field. */
        public SshHost build() {
            if (user == null) {
                throw new IllegalArgumentException("ssh.user is required");
            }
            if (host == null) {
                throw new IllegalArgumentException("ssh.host is required");
            }
            return new SshHost(user, host, port);
        }
    }
}
