package dev.zdd.api;

/**
 * Where a {@link Target} answers: a host (hostname, IPv4 or IPv6 literal without brackets) and a TCP port.
 *
 * <p>Immutable value; thread-safe. Hosts are checked against a strict pattern so that an endpoint can be written into
 * an nginx config or a HAProxy command without escaping.
 *
 * @param host hostname or IP literal, never null
 * @param port TCP port, 1 to 65535
 */
public record Endpoint(String host, int port) {
    /** Validates both fields; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public Endpoint {
        Checks.matches("endpoint.host", host, Checks.HOST, "a hostname, an IPv4 address or an IPv6 literal");
        Checks.range("endpoint.port", port, 1, 65535);
    }

    /** Shorthand for {@code new Endpoint(host, port)}. */
    public static Endpoint of(String host, int port) {
        return new Endpoint(host, port);
    }

    /** {@code true} when the host is an IPv6 literal. */
    public boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String authority() {
        return isIpv6() ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
        return authority();
    }
}
