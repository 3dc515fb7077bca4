package dev.zdd.examples;

import dev.zdd.examples.support.Report;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** {@code java -jar zdd-examples.jar SCENARIO [--report FILE] [options]}; {@code --help} lists the scenarios. */
public final class Main {
    private Main() {
    }

    /** Entry point. Exit codes: 0 ok, 1 scenario failed, 2 bad usage. */
    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        if (argv.length == 0 || "--help".equals(argv[0]) || "-h".equals(argv[0]) || "help".equals(argv[0])) {
            usage();
            return argv.length == 0 ? 2 : 0;
        }
        Scenario scenario = Scenarios.all().stream().filter(s -> s.name().equals(argv[0])).findFirst().orElse(null);
        if (scenario == null) {
            System.err.println("unknown scenario '" + argv[0] + "'");
            usage();
            return 2;
        }
        Args args;
        try {
            args = Args.parse(Arrays.asList(argv).subList(1, argv.length));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        try {
            Map<String, Object> report = scenario.run(args);
            String file = args.get("report", null);
            if (file != null) {
                Report.write(Path.of(file), report);
                System.out.println("report written to " + file);
            }
            Object ok = report.get("ok");
            return Boolean.FALSE.equals(ok) ? 1 : 0;
        } catch (IllegalArgumentException e) {
            System.err.println("bad option: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println(scenario.name() + " failed: " + e);
            e.printStackTrace(System.err);
            return 1;
        }
    }

    private static void usage() {
        System.out.println("usage: java -jar zdd-examples.jar SCENARIO [--report FILE] [options]\n\nscenarios:");
        for (Scenario s : Scenarios.all()) {
            System.out.printf("  %-20s %s%n", s.name(), s.description());
        }
    }
}
