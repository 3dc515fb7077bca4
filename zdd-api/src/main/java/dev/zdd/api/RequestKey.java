package dev.zdd.api;

/**
 * The part of a request that stickiness hashes or a {@link Rule} matches: a header, a cookie, the client address, or an
 * attribute the application supplies (for example a user id, with the in-process router).
 *
 * <p>Immutable; thread-safe. Names are HTTP token characters only ({@code A-Z a-z 0-9 _ -}, at most 64).
 *
 * @param kind what to read
 * @param name header, cookie or attribute name; empty for {@link Kind#CLIENT_ADDRESS}
 */
public record RequestKey(Kind kind, String name) {
    /** Where the key comes from. */
    public enum Kind {
        /** An HTTP request header. */
        HEADER,
        /** An HTTP cookie. */
        COOKIE,
        /** The client's IP address. */
        CLIENT_ADDRESS,
        /** An attribute supplied by application code (in-process router only). */
        ATTRIBUTE
    }

    /** Validates; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public RequestKey {
        Checks.notNull("requestKey.kind", kind);
        if (kind == Kind.CLIENT_ADDRESS) {
            name = "";
        } else {
            Checks.matches("requestKey.name", name, Checks.TOKEN, "letters, digits, '_' or '-', 1 to 64 characters");
        }
    }

    /** A header key. */
    public static RequestKey header(String name) {
        return new RequestKey(Kind.HEADER, name);
    }

    /** A cookie key. */
    public static RequestKey cookie(String name) {
        return new RequestKey(Kind.COOKIE, name);
    }

    /** The client address. */
    public static RequestKey clientAddress() {
        return new RequestKey(Kind.CLIENT_ADDRESS, "");
    }

    /** An application-supplied attribute. */
    public static RequestKey attribute(String name) {
        return new RequestKey(Kind.ATTRIBUTE, name);
    }

    @Override
    public String toString() {
        return kind == Kind.CLIENT_ADDRESS ? "client-address" : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
    }
}
