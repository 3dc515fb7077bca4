package dev.zdd.docker;

import dev.zdd.api.Arguments;

import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Registry credentials in pulls and pushes: which credentials may go with which image, the {@code X-Registry-Auth}
 * header, scrubbing the password out of messages, and clear messages for registry failures. Stateless; thread-safe.
 */
final class RegistryAuth {
    private RegistryAuth() {
    }

    static void check(ImageReference ref, RegistryCredentials credentials) {
        if (credentials != null && !credentials.registry().equalsIgnoreCase(ref.registry())) {
            throw new IllegalArgumentException("credentials for registry " + credentials.registry() + " cannot be used for"
                    + " image '" + ref + "' of registry " + ref.registry() + " (they are never sent to another registry)");
        }
    }

    static Map<String, String> headers(RegistryCredentials credentials) {
        // a push needs the header even without credentials: {} encoded
        return Map.of("X-Registry-Auth", credentials == null ? "e30=" : credentials.authHeader());
    }

    static UnaryOperator<String> scrubber(RegistryCredentials credentials) {
        return credentials == null ? UnaryOperator.identity() : credentials::redact;
    }

    static DockerException failure(String what, ImageReference ref, RegistryCredentials credentials, String daemon,
            DockerException e) {
        String said = e.dockerMessage().isEmpty() ? e.getMessage() : e.dockerMessage();
        String lower = said.toLowerCase(Locale.ROOT);
        String as = credentials == null ? "without credentials" : "as user '" + credentials.username() + "'";
        String why;
        if (e.isUnreachable()) {
            why = e.getMessage();
        } else if (lower.contains("unauthorized") || lower.contains("authentication required")
                || lower.contains("no basic auth credentials") || lower.contains("denied")) {
            why = credentials == null ? "the registry needs credentials (set them for " + ref.registry() + ")"
                    : "the registry refused the credentials";
        } else if (lower.contains("server gave http response to https client")) {
            why = "the registry speaks plain HTTP and the daemon HTTPS: add it to the daemon's insecure-registries"
                    + " (127.0.0.0/8 is one by default)";
        } else if (lower.contains("dial tcp") || lower.contains("no such host") || lower.contains("connection refused")
                || lower.contains("i/o timeout")) {
            why = "the daemon cannot reach the registry";
        } else if (e.isNotFound() || lower.contains("manifest unknown") || lower.contains("not found")) {
            why = "the registry has no such image";
        } else {
            why = "the daemon could not " + what + " it";
        }
        String msg = "cannot " + what + " image " + ref + (what.equals("pull") ? " from" : " to") + " registry "
                + ref.registry() + " " + as + " through the Docker daemon at " + daemon + ": " + why
                + (e.isUnreachable() ? "" : " (Docker said: " + Arguments.printable(said, 300) + ")");
        // the cause is kept only when it cannot carry a message of the registry
        UnaryOperator<String> scrub = scrubber(credentials);
        return new DockerException(scrub.apply(msg), e.status(), scrub.apply(e.dockerMessage()),
                e.isUnreachable() ? e.getCause() : null);
    }
}
