package dev.zdd.nginx.internal;

import dev.zdd.api.Arguments;
import dev.zdd.api.Endpoint;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Target;
import dev.zdd.nginx.ServerOptions;
import dev.zdd.nginx.UpstreamOptions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders the nginx configuration (http context) of one zdd-owned upstream for a {@link Routing}:
 * <ul>
 *   <li>{@code upstream zdd_NAME}: every target, weighted ({@code down} when not serving);</li>
 *   <li>{@code upstream zdd_NAME_vI}: the targets of one version, when stickiness or rules need it;</li>
 *   <li>{@code split_clients} on the sticky key (versions in order of first appearance, the first from 0%), and a
 *       {@code map} falling back to the weighted upstream when the key is empty;</li>
 *   <li>one {@code map} per rule, chained in order, each matching exact values (case-sensitive regexes);</li>
 *   <li>{@code $zdd_NAME_upstream}: the upstream name the user's {@code proxy_pass http://$zdd_NAME_upstream;} uses;</li>
 *   <li>a status server on its own listen address whose {@code /zdd/NAME} answers the generation id, so that a reload
 *       can be confirmed.</li>
 * </ul>
 * Every value is checked by {@link ConfigSafety} before it is written. Stateless; thread-safe.
 */
public final class IncludeRenderer {
    /** Path of the status location, followed by the upstream name. */
    public static final String STATUS_PATH_PREFIX = "/zdd/";

    private IncludeRenderer() {
    }

    /** The nginx variable ({@code $...} without the dollar) that holds a request key; rejects what nginx cannot read. */
    public static String variable(String field, RequestKey key) {
        switch (key.kind()) {
            case HEADER:
                ConfigSafety.check(field + " header name", key.name(), ConfigSafety.HEADER,
                        "letters, digits or '-', 1 to 64 characters");
                return "http_" + key.name().toLowerCase(Locale.ROOT).replace('-', '_');
            case COOKIE:
                ConfigSafety.check(field + " cookie name", key.name(), ConfigSafety.COOKIE,
                        "letters, digits or '_' (nginx's $cookie_ variables cannot name a cookie with '-')");
                return "cookie_" + key.name();
            case CLIENT_ADDRESS:
                return "remote_addr";
            default:
                throw new IllegalArgumentException(field + " " + key
                        + " is not supported by nginx: attributes exist only in the in-process router");
        }
    }

    /** Checks everything of {@code routing} that will reach the config; throws IllegalArgumentException. */
    public static void check(Routing routing) {
        for (Route r : routing.routes()) {
            Target t = r.target();
            ConfigSafety.check("target.id", t.id(), ConfigSafety.VALUE, "a target id");
            ConfigSafety.check("target.version", t.version(), ConfigSafety.VALUE, "a version");
            ConfigSafety.check("endpoint.host of " + t.id(), t.endpoint().host(), ConfigSafety.HOST,
                    "a hostname, an IPv4 address or an IPv6 literal");
            ConfigSafety.port("endpoint.port of " + t.id(), t.endpoint().port());
        }
        if (routing.stickiness() != null) {
            variable("stickiness.key", routing.stickiness().key());
        }
        for (int i = 0; i < routing.rules().size(); i++) {
            Rule rule = routing.rules().get(i);
            variable("rules[" + i + "].key", rule.key());
            for (String v : rule.values()) {
                ConfigSafety.check("rules[" + i + "].values", v, ConfigSafety.VALUE,
                        "letters, digits or . _ ~ @ + -, 1 to 128 characters");
            }
        }
    }

    /** The routing part of the file (upstreams, split, maps), without the status server, with nginx's defaults. */
    public static String routingConfig(String name, Routing routing) {
        return routingConfig(name, routing, UpstreamOptions.DEFAULTS);
    }

    /**
     * The routing part of the file (upstreams, split, maps), without the status server; {@code options} go into every
     * upstream.
     */
    public static String routingConfig(String name, Routing routing, UpstreamOptions options) {
        ConfigSafety.check("upstream name", name, ConfigSafety.UPSTREAM_NAME, "a letter, then letters, digits or '_'");
        check(routing);
        String prefix = "zdd_" + name;
        StringBuilder sb = new StringBuilder(1024);

        upstream(sb, prefix, "all targets, weighted", routing.routes(), false, options);

        // Versions in order of first appearance; the ones with serving targets get a sticky range.
        Map<String, List<Route>> byVersion = new LinkedHashMap<>();
        for (Route r : routing.routes()) {
            byVersion.computeIfAbsent(r.target().version(), v -> new ArrayList<>()).add(r);
        }
        List<String> versions = new ArrayList<>(byVersion.keySet());
        Set<String> servingVersions = routing.servingVersions();
        // a rule also reaches a version whose ACTIVE targets all have weight 0 (blue-green preview), evenly
        Set<String> ruleVersions = new LinkedHashSet<>();
        for (Route r : routing.routes()) {
            if (r.state() == dev.zdd.api.RouteState.ACTIVE) {
                ruleVersions.add(r.target().version());
            }
        }
        Set<String> needed = new LinkedHashSet<>();
        boolean sticky = routing.stickiness() != null && !servingVersions.isEmpty();
        if (sticky) {
            needed.addAll(servingVersions);
        }
        for (Rule rule : routing.rules()) {
            if (ruleVersions.contains(rule.version())) {
                needed.add(rule.version());
            }
        }
        for (String v : versions) {
            if (needed.contains(v)) {
                boolean preview = !servingVersions.contains(v);
                upstream(sb, versionUpstream(prefix, versions, v),
                        "version " + v + (preview ? " (weight 0: reachable by rules only, evenly)" : ""),
                        byVersion.get(v), preview, options);
            }
        }

        String base = prefix;
        if (sticky) {
            String var = variable("stickiness.key", routing.stickiness().key());
            int total = routing.servingWeight();
            Map<String, Integer> weights = new LinkedHashMap<>();
            for (Route r : routing.routes()) {
                if (r.serving()) {
                    weights.merge(r.target().version(), r.weight(), Integer::sum);
                }
            }
            sb.append("# sticky split on ").append(routing.stickiness().key())
                    .append(": versions take consecutive ranges in order, the first from 0%\n");
            sb.append("split_clients \"${").append(var).append("}\" $").append(prefix).append("_split {\n");
            long cumulative = 0;
            long previousBoundary = 0;
            int i = 0;
            for (Map.Entry<String, Integer> e : weights.entrySet()) {
                i++;
                cumulative += e.getValue();
                String target = versionUpstream(prefix, versions, e.getKey());
                if (i == weights.size()) {
                    sb.append("    * ").append(target).append(";  # version ").append(e.getKey()).append('\n');
                    break;
                }
                long boundary = Math.round(cumulative * 10_000.0 / total); // hundredths of a percent
                long width = boundary - previousBoundary;
                previousBoundary = boundary;
                if (width > 0) {
                    sb.append("    ").append(width / 100).append('.').append(String.format("%02d", width % 100))
                            .append("% ").append(target).append(";  # version ").append(e.getKey()).append('\n');
                }
            }
            sb.append("}\n");
            sb.append("map $").append(var).append(" $").append(prefix).append("_base {\n");
            sb.append("    \"\" ").append(prefix).append(";  # no key: weighted choice\n");
            sb.append("    default $").append(prefix).append("_split;\n}\n");
            base = "$" + prefix + "_base";
        }

        List<Rule> effective = new ArrayList<>();
        for (Rule rule : routing.rules()) {
            if (ruleVersions.contains(rule.version())) {
                effective.add(rule);
            } else {
                sb.append("# rule ").append(rule.key()).append(" -> ").append(rule.version())
                        .append(" skipped: that version has no ACTIVE target\n");
            }
        }
        if (effective.isEmpty()) {
            sb.append("map $host $").append(prefix).append("_upstream {\n    default ").append(base).append(";\n}\n");
        }
        for (int i = 0; i < effective.size(); i++) {
            Rule rule = effective.get(i);
            String out = i == 0 ? prefix + "_upstream" : prefix + "_rule" + i;
            String next = i + 1 < effective.size() ? "$" + prefix + "_rule" + (i + 1) : base;
            sb.append("# rule ").append(i).append(": ").append(rule.key()).append(" -> version ")
                    .append(rule.version()).append('\n');
            sb.append("map $").append(variable("rule.key", rule.key())).append(" $").append(out).append(" {\n");
            String target = versionUpstream(prefix, versions, rule.version());
            for (String v : rule.values()) {
                sb.append("    \"~^").append(regexLiteral(v)).append("$\" ").append(target).append(";\n");
            }
            sb.append("    default ").append(next).append(";\n}\n");
        }
        return sb.toString();
    }

    /** The status server that answers {@code id} at {@code /zdd/NAME}. */
    public static String statusServer(String name, Endpoint listen, String id) {
        ConfigSafety.check("upstream name", name, ConfigSafety.UPSTREAM_NAME, "a letter, then letters, digits or '_'");
        ConfigSafety.check("status.host", listen.host(), ConfigSafety.HOST, "a hostname or an IP address");
        ConfigSafety.port("status.port", listen.port());
        if (!id.matches("[0-9a-f]{1,64}")) {
            throw new IllegalArgumentException("generation id '" + Arguments.printable(id) + "' is not hex");
        }
        return "# zdd status: answers the generation id of this file, so that zdd can confirm a reload\n"
                + "server {\n"
                + "    listen " + listen.authority() + ";\n"
                + "    access_log off;\n"
                + "    keepalive_timeout 0;\n"
                + "    location = " + STATUS_PATH_PREFIX + name + " {\n"
                + "        default_type text/plain;\n"
                + "        return 200 \"" + id + "\\n\";\n"
                + "    }\n"
                + "    location / {\n"
                + "        return 404;\n"
                + "    }\n"
                + "}\n";
    }

    private static String versionUpstream(String prefix, List<String> versions, String version) {
        return prefix + "_v" + versions.indexOf(version);
    }

    private static void upstream(StringBuilder sb, String upstream, String what, List<Route> routes, boolean preview,
                                 UpstreamOptions options) {
        sb.append("upstream ").append(upstream).append(" {  # ").append(what).append('\n');
        sb.append(options.directives(upstream));
        if (routes.isEmpty()) {
            sb.append("    server 127.0.0.1:9 down;  # no targets: placeholder (nginx needs one server)\n");
        }
        List<ServerOptions> params = new ArrayList<>();
        boolean primary = false;
        for (Route r : routes) {
            ServerOptions o = options.server(r.target());
            params.add(o);
            primary |= !o.backup();
        }
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            Target t = r.target();
            sb.append("    server ").append(t.endpoint().authority());
            boolean up = r.serving() || (preview && r.state() == dev.zdd.api.RouteState.ACTIVE);
            if (up) {
                sb.append(" weight=").append(r.serving() ? r.weight() : 1);
            } else {
                sb.append(" down");
            }
            ServerOptions o = params.get(i);
            String rendered = o.render();
            boolean backupDropped = !primary && o.backup();
            if (backupDropped) {
                rendered = rendered.replace(" backup", "");
            }
            sb.append(rendered);
            sb.append(";  # ").append(t.id()).append(" version ").append(t.version());
            if (!up) {
                sb.append(' ').append(r.state().name().toLowerCase(Locale.ROOT)).append(" weight ").append(r.weight());
            }
            if (backupDropped) {
                sb.append(" (backup dropped: nginx needs a primary server in every upstream)");
            }
            sb.append('\n');
        }
        sb.append("}\n");
    }

    private static String regexLiteral(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '.' || c == '+') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
