package dev.zdd.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parsed {@code --key value} and {@code --flag} options of a scenario. Immutable. */
public final class Args {
    private final Map<String, String> options;
    private final List<String> positional;

    private Args(Map<String, String> options, List<String> positional) {
        this.options = options;
        this.positional = positional;
    }

    /** Parses {@code --key value}, {@code --key=value} and bare {@code --flag} (value "true"). */
    public static Args parse(List<String> raw) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String a = raw.get(i);
            if (a.startsWith("--")) {
                String key = a.substring(2);
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    options.put(key.substring(0, eq), key.substring(eq + 1));
                } else if (i + 1 < raw.size() && !raw.get(i + 1).startsWith("--")) {
                    options.put(key, raw.get(++i));
                } else {
                    options.put(key, "true");
                }
            } else {
                positional.add(a);
            }
        }
        return new Args(Map.copyOf(options), List.copyOf(positional));
    }

    /** The option's value or {@code def}. */
    public String get(String key, String def) {
        return options.getOrDefault(key, def);
    }

    /** The option as an int, or {@code def}; a bad number is an error naming the option. */
    public int getInt(String key, int def) {
        String v = options.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, was '" + v + "'");
        }
    }

    /** The option as a duration in milliseconds ({@code 1500}) or ISO-8601 ({@code PT1.5S}), or {@code def}. */
    public Duration getDuration(String key, Duration def) {
        String v = options.get(key);
        if (v == null) {
            return def;
        }
        try {
            return v.startsWith("P") ? Duration.parse(v) : Duration.ofMillis(Long.parseLong(v));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--" + key + " must be milliseconds or an ISO-8601 duration, was '" + v + "'");
        }
    }

    /** {@code true} when the flag was given (and not "false"). */
    public boolean flag(String key) {
        return options.containsKey(key) && !"false".equalsIgnoreCase(options.get(key));
    }

    /** Positional arguments. */
    public List<String> positional() {
        return positional;
    }
}
