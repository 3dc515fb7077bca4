package dev.zdd.docker;

import dev.zdd.api.Arguments;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image reference checked against Docker's reference grammar: {@code [registry[:port]/]path[:tag][@sha256:digest]},
 * for example {@code shop:1.2}, {@code team/shop}, {@code registry.example:5000/team/shop:1.2} or
 * {@code 127.0.0.1:5000/shop@sha256:...}.
 *
 * <p>As in Docker, the first component is the registry only when it contains a {@code .} or a {@code :} or is
 * {@code localhost}; otherwise the image is on Docker Hub ({@value #DOCKER_HUB}). Registry host names are DNS labels
 * (letters, digits, inner {@code -}), ports 1 to 65535; path components are lower case letters and digits joined by
 * {@code .}, {@code _}, {@code __} or dashes; a tag is at most 128 of {@code [A-Za-z0-9_.-]} not starting with
 * {@code .} or {@code -}; the whole name at most 255 characters. Anything else is refused.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageReference {
    /** The registry of images named without one. */
    public static final String DOCKER_HUB = "docker.io";
    /** The tag used when a reference has neither a tag nor a digest. */
    public static final String DEFAULT_TAG = "latest";
    /** The longest name (registry and path) Docker accepts. */
    public static final int MAX_NAME_LENGTH = 255;

    private static final String DOMAIN_COMPONENT = "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])";
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    /** Groups: 1 first component as a possible registry (with port in 2), 3 path, 4 tag, 5 digest. */
    private static final Pattern REFERENCE = Pattern.compile(
            "(?:(" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*(?::([0-9]{1,5}))?)/)?"
                    + "(" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*)"
                    + "(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
                    + "(?:@(sha256:[0-9a-f]{64}))?");
    private static final Pattern PATH_ONLY = Pattern.compile(PATH_COMPONENT);
    private static final String RULE = "an image reference [registry[:port]/]name[:tag][@sha256:digest] such as shop:1.2"
            + " or registry.example:5000/team/shop:1.2";

    private final String registry;
    private final String path;
    private final String tag;
    private final String digest;

    private ImageReference(String registry, String path, String tag, String digest) {
        this.registry = registry;
        this.path = path;
        this.tag = tag;
        this.digest = digest;
    }

    /** Parses {@code value} as the field {@code image}; see {@link #parse(String, String)}. */
    public static ImageReference parse(String value) {
        return parse("image", value);
    }

    /**
     * Parses {@code value}.
     *
     * @param field names the value in the message of the {@link IllegalArgumentException} thrown when it is no valid
     *              reference
     */
    public static ImageReference parse(String field, String value) {
        Arguments.notNull(field, value);
        Matcher m = REFERENCE.matcher(value);
        if (value.length() > MAX_NAME_LENGTH + 200 || !m.matches()) {
            throw invalid(field, value, RULE);
        }
        String first = m.group(1);
        String path = m.group(3);
        String registry = null;
        if (first != null) {
            if (first.contains(".") || first.contains(":") || "localhost".equals(first)) {
                registry = first;
                String port = m.group(2);
                if (port != null) {
                    int p = Integer.parseInt(port);
                    if (p < 1 || p > 65535) {
                        throw invalid(field, value, "the registry port must be 1 to 65535");
                    }
                }
            } else if (PATH_ONLY.matcher(first).matches()) {
                path = first + "/" + path; // e.g. team/shop on Docker Hub
            } else {
                throw invalid(field, value, "a repository name must be lower case (" + Arguments.printable(first)
                        + " is neither a registry host with a '.' or ':' nor a lower case name)");
            }
        }
        int slash = path.indexOf('/');
        if (registry == null && slash > 0 && path.substring(0, slash).contains(".")) {
            // Docker would take it for a registry host, which it is not (e.g. an underscore): refuse, do not guess
            throw invalid(field, value, "a registry host of letters, digits, '-' and '.' ('"
                    + Arguments.printable(path.substring(0, slash)) + "' is not one)");
        }
        int nameLength = (registry == null ? 0 : registry.length() + 1) + path.length();
        if (nameLength > MAX_NAME_LENGTH) {
            throw invalid(field, value, "the name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        return new ImageReference(registry, path, m.group(4), m.group(5));
    }

    private static IllegalArgumentException invalid(String field, String value, String rule) {
        return new IllegalArgumentException(field + " '" + Arguments.printable(value) + "' is invalid: expected " + rule);
    }

    /** {@code true} when {@code value} is a valid reference. */
    public static boolean isValid(String value) {
        try {
            parse(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The registry as written ({@code registry.example:5000}), or {@link #DOCKER_HUB} when the name has none. */
    public String registry() {
        return registry == null ? DOCKER_HUB : registry;
    }

    /** {@code true} when the reference names its registry. */
    public boolean hasRegistry() {
        return registry != null;
    }

    /** The repository as Docker's API expects it: registry (when written) and path, e.g. {@code 127.0.0.1:5000/shop}. */
    public String repository() {
        return registry == null ? path : registry + "/" + path;
    }

    /** The path within the registry, e.g. {@code team/shop}. */
    public String path() {
        return path;
    }

    /** The tag as written; empty when there is none. */
    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    /** The digest ({@code sha256:...}); empty when there is none. */
    public Optional<String> digest() {
        return Optional.ofNullable(digest);
    }

    /** What to ask a registry for: the digest when there is one, else the tag, else {@value #DEFAULT_TAG}. */
    public String tagOrDigest() {
        return digest != null ? digest : tag != null ? tag : DEFAULT_TAG;
    }

    /** The reference as written (it parses back to an equal reference). */
    @Override
    public String toString() {
        return repository() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageReference r && Objects.equals(registry, r.registry) && path.equals(r.path)
                && Objects.equals(tag, r.tag) && Objects.equals(digest, r.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, path, tag, digest);
    }
}
