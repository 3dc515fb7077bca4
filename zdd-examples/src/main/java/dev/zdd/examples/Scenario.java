package dev.zdd.examples;

import java.util.Map;

/**
 * A runnable scenario or benchmark of {@code java -jar zdd-examples.jar NAME [--report FILE] [options]}.
 * Implementations print a short human report to stdout and return the figures that {@code --report} writes as JSON.
 */
public interface Scenario {
    /** The command-line name, e.g. {@code demo}. */
    String name();

    /** One line for {@code --help}. */
    String description();

    /**
     * Runs the scenario.
     *
     * @param args parsed options (everything after the scenario name)
     * @return the JSON report: a map of plain values, lists and maps
     */
    Map<String, Object> run(Args args) throws Exception;
}
