package dev.zdd.nginx.internal;

import dev.zdd.api.Endpoint;
import dev.zdd.api.Routing;
import dev.zdd.nginx.UpstreamOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The text of the include file zdd owns: three header comment lines (a warning, the routing as JSON, a checksum of the
 * JSON and the body) followed by the body (routing config and status server). Parsing checks the checksum, so a hand
 * edit anywhere below the first line is detected. Immutable; thread-safe.
 *
 * @param text     the whole file
 * @param routing  the routing it was rendered from
 * @param id       the generation id the status server answers
 */
public record IncludeFile(String text, Routing routing, String id) {
    static final String MARKER = "# zdd-nginx: generated file";
    static final String ROUTING = "# zdd-routing: ";
    static final String CHECKSUM = "# zdd-checksum: sha256:";

    /** Renders the file for {@code routing} with nginx's default upstream options. */
    public static IncludeFile render(String name, Routing routing, Endpoint status) {
        return render(name, routing, status, UpstreamOptions.DEFAULTS);
    }

    /** Renders the file for {@code routing}, with {@code options} in every upstream. */
    public static IncludeFile render(String name, Routing routing, Endpoint status, UpstreamOptions options) {
        String json = RoutingJson.write(routing);
        String config = IncludeRenderer.routingConfig(name, routing, options);
        String id = sha256(json + "\n" + config).substring(0, 32);
        String body = config + IncludeRenderer.statusServer(name, status, id);
        String text = MARKER + " for upstream " + name
                + ". Owned by zdd: do not edit (zdd detects hand edits and refuses to overwrite them).\n"
                + ROUTING + json + "\n"
                + CHECKSUM + sha256(json + "\n" + body) + "\n"
                + body;
        return new IncludeFile(text, routing, id);
    }

    /**
     * Parses a file that {@link #render} wrote.
     *
     * @throws IllegalArgumentException saying what does not match when the file was not written by zdd or was edited
     */
    public static IncludeFile parse(String text) {
        if (!text.startsWith(MARKER)) {
            throw new IllegalArgumentException("it does not start with zdd's header (not written by zdd)");
        }
        int l1 = text.indexOf('\n');
        int l2 = l1 < 0 ? -1 : text.indexOf('\n', l1 + 1);
        int l3 = l2 < 0 ? -1 : text.indexOf('\n', l2 + 1);
        if (l3 < 0) {
            throw new IllegalArgumentException("its header is truncated");
        }
        String routingLine = text.substring(l1 + 1, l2);
        String checksumLine = text.substring(l2 + 1, l3);
        if (!routingLine.startsWith(ROUTING) || !checksumLine.startsWith(CHECKSUM)) {
            throw new IllegalArgumentException("its header lines were changed");
        }
        String json = routingLine.substring(ROUTING.length());
        String body = text.substring(l3 + 1);
        String expected = checksumLine.substring(CHECKSUM.length());
        String actual = sha256(json + "\n" + body);
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException("its checksum does not match (header says sha256:" + expected
                    + ", content is sha256:" + actual + "): it was edited by hand");
        }
        Routing routing = RoutingJson.read(json);
        int s = body.indexOf("# zdd status:");
        String config = s < 0 ? body : body.substring(0, s);
        String id = sha256(json + "\n" + config).substring(0, 32);
        return new IncludeFile(text, routing, id);
    }

    /** Hex SHA-256 of the UTF-8 bytes of {@code s}. */
    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
