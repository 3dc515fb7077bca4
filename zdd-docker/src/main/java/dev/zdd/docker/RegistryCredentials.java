package dev.zdd.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zdd.api.Arguments;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A user name and password for one image registry, sent to the Docker daemon (never to anything else) in the
 * {@code X-Registry-Auth} header of a pull or push.
 *
 * <p>The password never appears in {@link #toString()}, in a log line or in an exception message of zdd (messages that
 * come from the daemon or the registry are scrubbed of it too), and there is no getter for it. {@link #equals} and
 * {@link #hashCode} are those of the identity (no two instances are equal unless the same), so that it cannot leak
 * through a comparison either.
 *
 * <p>Immutable and thread-safe.
 */
public final class RegistryCredentials {
    /** Longest user name accepted. */
    public static final int MAX_USERNAME_LENGTH = 256;
    /** Longest password (or token) accepted. */
    public static final int MAX_PASSWORD_LENGTH = 8192;

    private static final String REDACTED = "****";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*"
                    + "(?::[0-9]{1,5})?");

    private final String registry;
    private final String username;
    private final String password;

    private RegistryCredentials(String registry, String username, String password) {
        this.registry = registry;
        this.username = username;
        this.password = password;
    }

    /**
     * Credentials for {@code registry}.
     *
     * @param registry the registry host with an optional port, exactly as it is written in image references, e.g.
     *                 {@code registry.example:5000} or {@code 127.0.0.1:5000}; {@value ImageReference#DOCKER_HUB} for
     *                 Docker Hub
     * @param username the user name (no control characters)
     * @param password the password or access token (no control characters); never shown anywhere
     * @throws IllegalArgumentException naming the field (and the value, except for the password)
     */
    public static RegistryCredentials of(String registry, String username, String password) {
        Arguments.matches("registry", registry, REGISTRY, "a registry host with an optional port such as"
                + " registry.example:5000");
        int colon = registry.lastIndexOf(':');
        if (colon > 0) {
            int port = Integer.parseInt(registry.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("registry '" + registry + "' has a bad port: expected 1 to 65535");
            }
        }
        Arguments.notNull("registry username", username);
        if (username.isEmpty() || username.length() > MAX_USERNAME_LENGTH || hasControl(username)) {
            throw new IllegalArgumentException("registry username '" + Arguments.printable(username) + "' for " + registry
                    + " is invalid: expected 1 to " + MAX_USERNAME_LENGTH + " characters without control characters");
        }
        if (password == null) {
            throw new IllegalArgumentException("registry password for " + username + "@" + registry + " is null");
        }
        if (password.isEmpty() || password.length() > MAX_PASSWORD_LENGTH || hasControl(password)) {
            // the value is never shown, not even in part
            throw new IllegalArgumentException("registry password for " + Arguments.printable(username) + "@" + registry
                    + " is invalid: expected 1 to " + MAX_PASSWORD_LENGTH + " characters without control characters");
        }
        return new RegistryCredentials(registry, username, password);
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** The registry these credentials are for, e.g. {@code registry.example:5000}. */
    public String registry() {
        return registry;
    }

    /** The user name. */
    public String username() {
        return username;
    }

    /** The {@code X-Registry-Auth} header value: base64url of {@code {"username","password","serveraddress"}}. */
    String authHeader() {
        ObjectNode n = JSON.createObjectNode();
        n.put("username", username);
        n.put("password", password);
        n.put("serveraddress", registry);
        return Base64.getUrlEncoder().encodeToString(n.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code text} with every occurrence of the password replaced by {@code ****}. */
    String redact(String text) {
        return text == null ? null : text.replace(password, REDACTED);
    }

    /** {@code RegistryCredentials[user@registry, password ****]}: never the password. */
    @Override
    public String toString() {
        return "RegistryCredentials[" + Arguments.printable(username) + "@" + registry + ", password " + REDACTED + "]";
    }
}
