package dev.zdd.haproxy.internal;

import dev.zdd.api.Arguments;
import dev.zdd.haproxy.ServerState;
import dev.zdd.haproxy.StatRow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses runtime API answers into records, all or nothing: any deviation from the expected shape throws
 * {@link MalformedAnswerException}, never returns half-parsed data. Stateless; thread-safe.
 */
public final class Parsers {
    private static final List<String> STATE_FIELDS = List.of("be_name", "srv_id", "srv_name", "srv_addr",
            "srv_op_state", "srv_admin_state", "srv_uweight", "srv_iweight", "srv_port");
    private static final List<String> STAT_FIELDS = List.of("pxname", "svname", "scur", "stot", "status");

    private Parsers() {
    }

    /** Thrown for an answer that does not have the expected shape. */
    public static final class MalformedAnswerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedAnswerException(String message) {
            super(message);
        }
    }

    /** Lines of an answer without the trailing empty lines. */
    static List<String> lines(String answer) {
        List<String> lines = new ArrayList<>(Arrays.asList(answer.split("\n", -1)));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** Parses {@code show servers state [backend]}: a format version line "1", a "# " header, one line per server. */
    public static List<ServerState> serversState(String answer) {
        List<String> lines = lines(answer);
        if (lines.size() < 2) {
            throw new MalformedAnswerException("expected a format version line and a '# ' header line");
        }
        if (!"1".equals(lines.get(0).trim())) {
            throw new MalformedAnswerException("unsupported format version '" + Arguments.printable(lines.get(0)) + "' (expected 1)");
        }
        if (!lines.get(1).startsWith("# ")) {
            throw new MalformedAnswerException("expected a '# ' header line, got '" + Arguments.printable(lines.get(1)) + "'");
        }
        List<String> header = List.of(lines.get(1).substring(2).trim().split(" +"));
        Map<String, Integer> index = index(header, STATE_FIELDS);
        int checkIndex = header.indexOf("srv_check_state");
        List<ServerState> out = new ArrayList<>();
        for (int i = 2; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                throw new MalformedAnswerException("empty line " + (i + 1) + " inside the server list");
            }
            String[] f = line.trim().split(" +");
            if (f.length != header.size()) {
                throw new MalformedAnswerException("line " + (i + 1) + " has " + f.length + " fields, the header "
                        + header.size() + ": '" + Arguments.printable(line) + "'");
            }
            out.add(new ServerState(f[index.get("be_name")], integer(f, index, "srv_id", i),
                    f[index.get("srv_name")], f[index.get("srv_addr")], integer(f, index, "srv_port", i),
                    integer(f, index, "srv_op_state", i), integer(f, index, "srv_admin_state", i),
                    integer(f, index, "srv_uweight", i), integer(f, index, "srv_iweight", i),
                    checkIndex >= 0 ? integer(f, Map.of("srv_check_state", checkIndex), "srv_check_state", i) : 0));
        }
        return Collections.unmodifiableList(out);
    }

    /** Parses {@code show stat}: CSV with a "# " header line. */
    public static List<StatRow> stat(String answer) {
        List<String> lines = lines(answer);
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new MalformedAnswerException("expected a CSV header line starting with '# '");
        }
        List<String> header = List.of(lines.get(0).substring(2).split(",", -1));
        Map<String, Integer> index = index(header, STAT_FIELDS);
        List<StatRow> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] f = line.split(",", -1);
            if (f.length != header.size()) {
                throw new MalformedAnswerException("line " + (i + 1) + " has " + f.length + " fields, the header "
                        + header.size() + ": '" + Arguments.printable(line) + "'");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (int k = 0; k < header.size(); k++) {
                if (!header.get(k).isEmpty()) {
                    fields.put(header.get(k), f[k]);
                }
            }
            out.add(new StatRow(fields.get("pxname"), fields.get("svname"), fields.get("status"),
                    counter(fields, "scur", i), counter(fields, "stot", i), counter(fields, "req_tot", i),
                    counter(fields, "hrsp_5xx", i), counter(fields, "rtime", i), counter(fields, "ttime", i),
                    counter(fields, "weight", i), fields));
        }
        return Collections.unmodifiableList(out);
    }

    /** The value of {@code Version:} in {@code show info}. */
    public static String version(String answer) {
        for (String line : lines(answer)) {
            if (line.startsWith("Version:")) {
                String v = line.substring("Version:".length()).trim();
                if (!v.isEmpty()) {
                    return v;
                }
            }
        }
        throw new MalformedAnswerException("no 'Version:' line");
    }

    /**
     * Parses {@code show map <file>}: one entry per line, {@code <ref> <key> <value>}; returns key to value in order.
     */
    public static Map<String, String> map(String answer) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> lines = lines(answer);
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ", -1);
            if (f.length != 3 || !f[0].startsWith("0x") || f[1].isEmpty() || f[2].isEmpty()) {
                throw new MalformedAnswerException("map line " + (i + 1) + " is not '<ref> <key> <value>': '"
                        + Arguments.printable(lines.get(i)) + "'");
            }
            out.put(f[1], f[2]);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Parses the answer of {@code prepare map}: "New version created: N". */
    public static long preparedVersion(String answer) {
        String a = answer.trim();
        String prefix = "New version created:";
        if (!a.startsWith(prefix)) {
            throw new MalformedAnswerException("expected '" + prefix + " <n>'");
        }
        try {
            return Long.parseLong(a.substring(prefix.length()).trim());
        } catch (NumberFormatException e) {
            throw new MalformedAnswerException("bad version number in '" + Arguments.printable(a) + "'");
        }
    }

    private static Map<String, Integer> index(List<String> header, List<String> required) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            index.putIfAbsent(header.get(i), i);
        }
        for (String r : required) {
            if (!index.containsKey(r)) {
                throw new MalformedAnswerException("header lacks field '" + r + "'");
            }
        }
        return index;
    }

    private static int integer(String[] f, Map<String, Integer> index, String field, int line) {
        String v = f[index.get(field)];
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new MalformedAnswerException("line " + (line + 1) + ": " + field + " '" + Arguments.printable(v)
                    + "' is not a number");
        }
    }

    private static long counter(Map<String, String> fields, String field, int line) {
        String v = fields.get(field);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new MalformedAnswerException("line " + (line + 1) + ": " + field + " '" + Arguments.printable(v)
                    + "' is not a number");
        }
    }
}
