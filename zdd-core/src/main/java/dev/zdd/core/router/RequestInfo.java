package dev.zdd.core.router;

import dev.zdd.api.RequestKey;

import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@link InProcessRouter} may look at when it chooses a target for a request: headers, cookies, the client
 * address and attributes supplied by application code (for example a user id). Implement it over your framework's
 * request object, or build a value with {@link #builder()}.
 *
 * <p>Implementations must be thread-safe for reading; the built value is immutable. Header names are case-insensitive;
 * cookie and attribute names are case-sensitive.
 */
public interface RequestInfo {
    /** A request with no headers, cookies, address or attributes (always the plain weighted choice). */
    RequestInfo EMPTY = builder().build();

    /** The value of a header, if present (names are case-insensitive). */
    Optional<String> header(String name);

    /** The value of a cookie, if present. */
    Optional<String> cookie(String name);

    /** The client's address, if known. */
    Optional<String> clientAddress();

    /** An attribute supplied by application code, if present. */
    Optional<String> attribute(String name);

    /** The value {@code key} reads from this request, if present. */
    default Optional<String> value(RequestKey key) {
        switch (key.kind()) {
            case HEADER:
                return header(key.name());
            case COOKIE:
                return cookie(key.name());
            case CLIENT_ADDRESS:
                return clientAddress();
            case ATTRIBUTE:
                return attribute(key.name());
            default:
                throw new IllegalStateException("unknown request key kind " + key.kind());
        }
    }

    /** A builder of an immutable {@link RequestInfo}. */
    static Builder builder() {
        return new Builder();
    }

    /** A request carrying one attribute, e.g. {@code RequestInfo.ofAttribute("user", userId)}. */
    static RequestInfo ofAttribute(String name, String value) {
        return builder().attribute(name, value).build();
    }

    /** Builds an immutable {@link RequestInfo}. Not thread-safe. */
    final class Builder {
        private final Map<String, String> headers = new HashMap<>();
        private final Map<String, String> cookies = new HashMap<>();
        private final Map<String, String> attributes = new HashMap<>();
        private String clientAddress;

        private Builder() {
        }

        /** Sets a header (name case-insensitive; last wins). */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "header name").toLowerCase(Locale.ROOT),
                    Objects.requireNonNull(value, "header value"));
            return this;
        }

        /** Sets a cookie. */
        public Builder cookie(String name, String value) {
            cookies.put(Objects.requireNonNull(name, "cookie name"), Objects.requireNonNull(value, "cookie value"));
            return this;
        }

        /** Sets the client address. */
        public Builder clientAddress(String value) {
            clientAddress = Objects.requireNonNull(value, "clientAddress");
            return this;
        }

        /** Sets an application attribute. */
        public Builder attribute(String name, String value) {
            attributes.put(Objects.requireNonNull(name, "attribute name"), Objects.requireNonNull(value, "attribute value"));
            return this;
        }

        /** Builds the immutable value. */
        public RequestInfo build() {
            return new Value(Map.copyOf(headers), Map.copyOf(cookies), clientAddress, Map.copyOf(attributes));
        }
    }

    /** The immutable value built by {@link Builder}. */
    final class Value implements RequestInfo {
        private final Map<String, String> headers;
        private final Map<String, String> cookies;
        private final String clientAddress;
        private final Map<String, String> attributes;

        private Value(Map<String, String> headers, Map<String, String> cookies, String clientAddress,
                      Map<String, String> attributes) {
            this.headers = Collections.unmodifiableMap(headers);
            this.cookies = cookies;
            this.clientAddress = clientAddress;
            this.attributes = attributes;
        }

        @Override
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }

        @Override
        public Optional<String> cookie(String name) {
            return Optional.ofNullable(cookies.get(name));
        }

        @Override
        public Optional<String> clientAddress() {
            return Optional.ofNullable(clientAddress);
        }

        @Override
        public Optional<String> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }

        @Override
        public String toString() {
            // names only: values may be tokens or personal data
            return "RequestInfo[headers=" + headers.keySet() + ", cookies=" + cookies.keySet() + ", attributes="
                    + attributes.keySet() + (clientAddress == null ? "" : ", clientAddress") + "]";
        }
    }
}
