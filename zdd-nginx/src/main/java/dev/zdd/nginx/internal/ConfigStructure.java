package dev.zdd.nginx.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The structure of an include file that {@link IncludeFile#render} wrote: its text with everything that {@code nginx -t}
 * cannot reject taken out, so that two files with equal structures differ only in values nginx accepts in any
 * combination. Taken out: comments (the routing JSON, the checksum, target ids), the {@code weight=N}, {@code down} and
 * {@code backup} parameters of {@code server} lines in upstreams (and the order of those lines inside one upstream),
 * the percentages of {@code split_clients} lines, and the generation id the status server returns. Everything else
 * (upstream names, server addresses, map and split keys and values, listen addresses, which lines exist) stays.
 *
 * <p>The one thing about percentages that nginx does check, a total above 100%, is checked here: such a file has no
 * structure ({@link #of} answers null) and so never counts as equal. Stateless; thread-safe.
 */
public final class ConfigStructure {
    private static final Pattern SERVER = Pattern.compile(
            "(\\s*server [^\\s;]+)((?: weight=[0-9]{1,5}| down| backup| max_fails=[0-9]+| fail_timeout=[0-9]+m?s"
                    + "| max_conns=[0-9]+)*);");
    private static final Pattern KEPT_PARAMETER = Pattern.compile(" (?:max_fails|fail_timeout|max_conns)=[0-9a-z]+");
    /** Directives of an upstream block other than servers (zdd's {@code UpstreamOptions}): kept as they are. */
    private static final Pattern UPSTREAM_DIRECTIVE = Pattern.compile(
            "\\s*(?:zone|least_conn|ip_hash|hash|random|keepalive|keepalive_requests|keepalive_timeout)(?: [^;]*)?;");
    private static final Pattern SPLIT = Pattern.compile("(\\s*)([0-9]{1,3})\\.([0-9]{2})% ([^\\s;]+);");
    private static final Pattern STATUS_ID = Pattern.compile("(\\s*return 200 \")[0-9a-f]{1,64}(\\\\n\";)");

    private ConfigStructure() {
    }

    /**
     * The structure of {@code text}, or null when it cannot be trusted to be valid whatever its values (a
     * {@code split_clients} above 100%, or lines this class does not expect inside an upstream).
     */
    public static String of(String text) {
        StringBuilder out = new StringBuilder(text.length());
        List<String> servers = null; // server lines of the upstream being read, sorted at its end
        long splitTotal = -1;        // hundredths of a percent of the split_clients being read
        for (String raw : text.split("\n", -1)) {
            int hash = raw.indexOf('#'); // never part of a value: ConfigSafety rejects '#' everywhere
            String line = (hash < 0 ? raw : raw.substring(0, hash)).stripTrailing();
            if (line.isEmpty()) {
                continue;
            }
            if (servers != null) {
                if (line.equals("}")) {
                    Collections.sort(servers);
                    servers.forEach(s -> out.append(s).append('\n'));
                    out.append("}\n");
                    servers = null;
                    continue;
                }
                if (UPSTREAM_DIRECTIVE.matcher(line).matches()) {
                    out.append(line).append('\n');
                    continue;
                }
                Matcher m = SERVER.matcher(line);
                if (!m.matches()) {
                    return null;
                }
                StringBuilder kept = new StringBuilder(m.group(1));
                Matcher p = KEPT_PARAMETER.matcher(m.group(2));
                while (p.find()) {
                    kept.append(p.group());
                }
                servers.add(kept.append(';').toString());
                continue;
            }
            if (line.startsWith("upstream ") && line.endsWith("{")) {
                servers = new ArrayList<>();
                out.append(line).append('\n');
                continue;
            }
            if (line.startsWith("split_clients ")) {
                splitTotal = 0;
            } else if (splitTotal >= 0) {
                Matcher m = SPLIT.matcher(line);
                if (m.matches()) {
                    splitTotal += Long.parseLong(m.group(2)) * 100 + Long.parseLong(m.group(3));
                    if (splitTotal > 10_000) {
                        return null;
                    }
                    out.append(m.group(1)).append("P% ").append(m.group(4)).append(";\n");
                    continue;
                }
                if (line.equals("}")) {
                    splitTotal = -1;
                }
            }
            Matcher id = STATUS_ID.matcher(line);
            if (id.matches()) {
                line = id.group(1) + "ID" + id.group(2);
            }
            out.append(line).append('\n');
        }
        return servers == null && splitTotal < 0 ? out.toString() : null;
    }
}
