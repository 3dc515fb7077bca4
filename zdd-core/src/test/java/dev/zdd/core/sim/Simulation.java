package dev.zdd.core.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs seeds {@code seedStart .. seedStart+runs-1} on a few threads (each run has its own scheduler and engine, so a
 * seed's outcome does not depend on the thread), collects the violations and the figures, and writes them as JSON.
 * Thread-safe once built.
 */
final class Simulation {
    /** The figures of a batch of runs. */
    record Report(long seedStart, int runs, long wallMillis, List<SimRun.Outcome> failing, Map<String, Integer> ends,
                  Map<String, Integer> faults, Map<String, Integer> refusals) {
        int violations() {
            return failing.stream().mapToInt(o -> o.violations().size()).sum();
        }

        String json() {
            StringBuilder sb = new StringBuilder("{\n");
            sb.append("  \"schedules\": ").append(runs).append(",\n");
            sb.append("  \"violations\": ").append(violations()).append(",\n");
            sb.append("  \"failingSeeds\": ").append(failing.size()).append(",\n");
            sb.append("  \"seedStart\": ").append(seedStart).append(",\n");
            sb.append("  \"wallMillis\": ").append(wallMillis).append(",\n");
            sb.append("  \"outcomes\": ").append(map(ends)).append(",\n");
            sb.append("  \"refusedAtBuild\": ").append(map(refusals)).append(",\n");
            sb.append("  \"faultsInjected\": ").append(map(faults)).append(",\n");
            sb.append("  \"firstFailingSeeds\": [");
            for (int i = 0; i < Math.min(50, failing.size()); i++) {
                sb.append(i == 0 ? "" : ", ").append(failing.get(i).seed());
            }
            return sb.append("]\n}\n").toString();
        }

        private static String map(Map<String, Integer> m) {
            StringBuilder sb = new StringBuilder("{");
            m.forEach((k, v) -> sb.append(sb.length() == 1 ? "" : ", ").append('"').append(k.replace("\"", "'"))
                    .append("\": ").append(v));
            return sb.append('}').toString();
        }

        void write(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            Files.writeString(file, json());
        }
    }

    private Simulation() {
    }

    static Report run(long seedStart, int runs, int threads) throws Exception {
        long t0 = System.nanoTime();
        AtomicLong next = new AtomicLong(seedStart);
        long end = seedStart + runs;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "zdd-sim");
            t.setDaemon(true);
            return t;
        });
        List<Future<List<SimRun.Outcome>>> parts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            parts.add(pool.submit(() -> {
                List<SimRun.Outcome> out = new ArrayList<>();
                long seed;
                while ((seed = next.getAndIncrement()) < end) {
                    out.add(SimRun.run(seed, false));
                }
                return out;
            }));
        }
        List<SimRun.Outcome> all = new ArrayList<>();
        for (Future<List<SimRun.Outcome>> f : parts) {
            all.addAll(f.get());
        }
        pool.shutdown();
        all.sort((a, b) -> Long.compare(a.seed(), b.seed()));
        Map<String, Integer> ends = new TreeMap<>();
        Map<String, Integer> faults = new TreeMap<>();
        Map<String, Integer> refusals = new TreeMap<>();
        List<SimRun.Outcome> failing = new ArrayList<>();
        for (SimRun.Outcome o : all) {
            ends.merge(o.end().name(), 1, Integer::sum);
            o.faults().forEach((k, v) -> faults.merge(k, v, Integer::sum));
            if (o.end() == SimRun.End.REFUSED) {
                refusals.merge(refusalKind(o.why()), 1, Integer::sum);
            }
            if (!o.violations().isEmpty()) {
                failing.add(o);
            }
        }
        List<SimRun.Outcome> slowest = new ArrayList<>(all);
        slowest.sort((a, b) -> Long.compare(b.wallMillis(), a.wallMillis()));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(10, slowest.size()); i++) {
            sb.append(slowest.get(i).seed()).append('=').append(slowest.get(i).wallMillis()).append("ms ");
        }
        long fastSum = all.stream().filter(o -> o.wallMillis() < 1000).mapToLong(SimRun.Outcome::wallMillis).sum();
        long slow = all.stream().filter(o -> o.wallMillis() >= 1000).count();
        System.out.println("slowest seeds: " + sb + "; " + slow + " seeds over 1 s; the others took " + fastSum
                + " ms in all");
        String endsFile = System.getProperty("zdd.sim.endsFile");
        if (endsFile != null) {
            StringBuilder ends1 = new StringBuilder();
            all.forEach(o -> ends1.append(o.seed()).append(' ').append(o.end()).append('\n'));
            Files.writeString(Path.of(endsFile), ends1);
        }
        if (Boolean.getBoolean("zdd.sim.showRefusals")) {
            all.stream().filter(o -> o.end() == SimRun.End.REFUSED).forEach(o -> System.out.println("refused " + o.seed()
                    + ": " + o.why().substring(0, Math.min(200, o.why().length()))));
        }
        return new Report(seedStart, runs, (System.nanoTime() - t0) / 1_000_000, failing, ends, faults, refusals);
    }

    /** The refusal without its numbers and details, to count refusals by kind. */
    private static String refusalKind(String why) {
        String k = why.replaceAll("PT[0-9A-Z.]+|[0-9]+", "N").replaceAll("\\[[^\\]]*]", "[...]");
        return k.length() > 110 ? k.substring(0, 110) : k;
    }
}
