package dev.zdd.haproxy;

import dev.zdd.api.Arguments;
import dev.zdd.haproxy.internal.Names;
import dev.zdd.haproxy.internal.Parsers;
import dev.zdd.haproxy.internal.SocketIo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of HAProxy's runtime API ({@code stats socket ... level admin}) over a unix socket or TCP, with no native
 * library. Every call opens one connection, sends one command (or several joined with {@code ;}), and reads the answer
 * until HAProxy closes the connection, within the connect and read timeouts.
 *
 * <p>Error detection: HAProxy's answers carry no status code, and a successful {@code set}, {@code add map},
 * {@code commit map} or {@code del map} answers a bare newline, so {@link #set(List)} treats any other text as an error
 * and throws {@link RuntimeApiException} with the command and HAProxy's answer. Parsed reads ({@link #showServersState},
 * {@link #showStat}, {@link #showMap}, {@link #version}) either return complete records or throw; they never return half
 * of a malformed answer.
 *
 * <p>Immutable; thread-safe (connections are not shared).
 */
public final class RuntimeApiClient {
    /** Default time to establish a connection: 2 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Default time to receive a complete answer once connected: 5 s. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The address family typed with ':' as in a URL: {@code unix:/path}, {@code unix:///path},
     * {@code ipv4://HOST:PORT}, {@code ipv6:HOST:PORT}; group 1 is the family, group 2 the rest.
     */
    private static final Pattern COLON_PREFIX =
            Pattern.compile("(?i)(unix(?=:(?://)?/)|ipv[46](?=:(?://)?.*:)):(?://)?(.+)");

    private final StandardProtocolFamily family;
    private final SocketAddress address;
    private final String description;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    private RuntimeApiClient(Builder b) {
        this.family = b.family;
        this.address = b.address;
        this.description = b.description;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
    }

    /** A builder for a client of the unix socket at {@code socket}. */
    public static Builder unixSocket(Path socket) {
        Objects.requireNonNull(socket, "socket");
        return new Builder(StandardProtocolFamily.UNIX, UnixDomainSocketAddress.of(socket), "unix@" + socket);
    }

    /** A builder for a client of the TCP socket at {@code host:port}. */
    public static Builder tcp(String host, int port) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("runtime API host must not be empty, was '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("runtime API port must be in [1, 65535], was " + port);
        }
        InetSocketAddress a = new InetSocketAddress(host, port);
        StandardProtocolFamily f = a.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        return new Builder(f, a, host + ":" + port);
    }

    /**
     * A builder for an address in HAProxy's own notation, as written after {@code stats socket}: {@code /path},
     * {@code unix@/path}, {@code ipv4@127.0.0.1:9999}, {@code ipv6@::1:9999} or {@code 127.0.0.1:9999}.
     */
    public static Builder address(String haproxyAddress) {
        if (haproxyAddress == null || haproxyAddress.isBlank()) {
            throw new IllegalArgumentException("runtime API address must not be empty, was '" + haproxyAddress + "'");
        }
        String a = haproxyAddress.trim();
        Matcher colonPrefix = COLON_PREFIX.matcher(a);
        if (colonPrefix.matches()) {
            // unix:/path, unix:///path, ipv4://HOST:PORT: a URL habit; HAProxy's notation puts '@' after the family
            throw new IllegalArgumentException("runtime API address '" + Arguments.printable(haproxyAddress)
                    + "' is invalid: HAProxy writes the address family with '@', e.g. '"
                    + Arguments.printable(colonPrefix.group(1).toLowerCase(Locale.ROOT) + "@" + colonPrefix.group(2))
                    + "'");
        }
        if (a.startsWith("unix@")) {
            return unixSocket(Path.of(a.substring(5)));
        }
        if (a.startsWith("/")) {
            return unixSocket(Path.of(a));
        }
        if (a.startsWith("ipv4@") || a.startsWith("ipv6@")) {
            a = a.substring(5);
        }
        int colon = a.lastIndexOf(':');
        if (colon <= 0 || colon == a.length() - 1) {
            throw new IllegalArgumentException("runtime API address '" + Arguments.printable(haproxyAddress)
                    + "' is invalid: expected /path, unix@/path, ipv4@HOST:PORT or HOST:PORT");
        }
        String host = a.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(a.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("runtime API address '" + Arguments.printable(haproxyAddress)
                    + "' has a bad port '" + Arguments.printable(a.substring(colon + 1)) + "': expected HOST:PORT with"
                    + " a port 1-65535, or a unix socket as /path or unix@/path");
        }
        return tcp(host, port);
    }

    /**
     * Sends one command and returns HAProxy's raw answer.
     *
     * @param command one command; {@code ;}, line breaks and NUL are refused (use {@link #executeAll(List)})
     * @throws RuntimeApiException when HAProxy cannot be reached or does not answer in time
     */
    public String execute(String command) {
        return send(checkCommand(command));
    }

    /** Sends several commands joined with {@code ;} on one connection (HAProxy runs them in order) and returns the answer. */
    public String executeAll(List<String> commands) {
        return send(join(commands));
    }

    /**
     * Sends commands whose success is a bare newline ({@code set server}, {@code set weight}, {@code add map},
     * {@code commit map}; not {@code add server} or {@code del server}, which answer a sentence), joined with {@code ;}
     * on one connection.
     *
     * @throws RuntimeApiException when the answer holds anything but newlines, with the command and HAProxy's answer
     */
    public void set(List<String> commands) {
        String line = join(commands);
        String answer = send(line);
        if (!answer.chars().allMatch(c -> c == '\n' || c == '\r')) {
            throw new RuntimeApiException("HAProxy refused '" + Arguments.printable(line) + "': "
                    + Arguments.printable(answer.strip()), line, answer);
        }
    }

    /** {@link #set(List)} of one command. */
    public void set(String command) {
        set(List.of(command));
    }

    /** {@code show servers state <backend>}: one record per server. */
    public List<ServerState> showServersState(String backend) {
        Names.name("backend", backend);
        return parse("show servers state " + backend, Parsers::serversState);
    }

    /** {@code show stat}: every frontend, backend and server line. */
    public List<StatRow> showStat() {
        return parse("show stat", Parsers::stat);
    }

    /** {@code show stat <backend> 4 -1}: the server lines of one backend. */
    public List<StatRow> showServerStat(String backend) {
        Names.name("backend", backend);
        return parse("show stat " + backend + " 4 -1", Parsers::stat);
    }

    /** {@code show map <file>}: key to value, in HAProxy's order. */
    public Map<String, String> showMap(String mapFile) {
        Names.mapPath("map file", mapFile);
        return parse("show map " + mapFile, Parsers::map);
    }

    /** {@code prepare map <file>}: starts a new version of the map to fill and commit atomically; returns its number. */
    public long prepareMap(String mapFile) {
        Names.mapPath("map file", mapFile);
        return parse("prepare map " + mapFile, Parsers::preparedVersion);
    }

    /** HAProxy's version from {@code show info}, e.g. {@code 2.6.12-1+deb12u4}. */
    public String version() {
        return parse("show info", Parsers::version);
    }

    /** The address this client talks to. */
    public String address() {
        return description;
    }

    /** The connect timeout. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The read timeout. */
    public Duration readTimeout() {
        return readTimeout;
    }

    @Override
    public String toString() {
        return "RuntimeApiClient[" + description + "]";
    }

    private <T> T parse(String command, Function<String, T> parser) {
        String answer = send(command);
        try {
            return parser.apply(answer);
        } catch (Parsers.MalformedAnswerException e) {
            String shown = answer.length() > 300 ? answer.substring(0, 300) + "..." : answer;
            throw new RuntimeApiException("malformed answer to '" + command + "' from " + description + ": "
                    + e.getMessage() + "; HAProxy answered '" + Arguments.printable(shown.strip()) + "'", command, answer);
        }
    }

    private String send(String line) {
        try {
            return SocketIo.exchange(family, address, line + "\n", connectTimeout, readTimeout);
        } catch (SocketTimeoutException e) {
            throw new RuntimeApiException("HAProxy runtime API at " + description + " did not answer '"
                    + Arguments.printable(line) + "' in time: " + e.getMessage() + " (connect timeout " + connectTimeout
                    + ", read timeout " + readTimeout + ")", line, e);
        } catch (IOException e) {
            throw new RuntimeApiException("cannot reach the HAProxy runtime API at " + description + " for '"
                    + Arguments.printable(line) + "': " + e, line, e);
        }
    }

    private static String checkCommand(String command) {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("command must not be empty, was '" + command + "'");
        }
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == ';' || c == '\n' || c == '\r' || c == 0) {
                throw new IllegalArgumentException("command '" + Arguments.printable(command)
                        + "' contains ';', a line break or NUL: one command per string");
            }
        }
        return command;
    }

    private static String join(List<String> commands) {
        if (commands == null || commands.isEmpty()) {
            throw new IllegalArgumentException("commands must not be empty");
        }
        StringBuilder sb = new StringBuilder();
        for (String c : commands) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(checkCommand(c));
        }
        return sb.toString();
    }

    /** Builds a {@link RuntimeApiClient}. Not thread-safe. */
    public static final class Builder {
        private final StandardProtocolFamily family;
        private final SocketAddress address;
        private final String description;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;

        private Builder(StandardProtocolFamily family, SocketAddress address, String description) {
            this.family = family;
            this.address = address;
            this.description = description;
        }

        /** Time to establish a connection. Default {@link #DEFAULT_CONNECT_TIMEOUT}. */
        public Builder connectTimeout(Duration v) {
            connectTimeout = Arguments.positive("connectTimeout", v);
            return this;
        }

        /** Time to receive a complete answer once connected. Default {@link #DEFAULT_READ_TIMEOUT}. */
        public Builder readTimeout(Duration v) {
            readTimeout = Arguments.positive("readTimeout", v);
            return this;
        }

        /** Builds the client (connects lazily, per call). */
        public RuntimeApiClient build() {
            return new RuntimeApiClient(this);
        }
    }
}
