package dev.zdd.examples.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.examples.support.LoadGenerator;
import dev.zdd.examples.support.Stats;
import dev.zdd.nginx.UpstreamOptions;
import dev.zdd.nginx.testing.TestNginx;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The throughput part of {@code nginx-bench}: two real nginx in front of the same backend, both with a zdd-rendered
 * upstream, one with nginx's defaults (a new connection to the app for every proxied request) and one with
 * {@code keepalive 32} (and the location's {@code proxy_http_version 1.1} / empty {@code Connection}, which
 * {@link TestNginx} always sets). Keep-alive clients load one nginx at a time in alternating time slots (the order
 * swapped each round), so that machine noise falls on both alike; requests per second = answered requests / time
 * under load. Not thread-safe (run once).
 */
final class KeepAliveThroughput {
    /** Upstream keepalive connections per worker on the keep-alive side (as a production config would set). */
    static final int KEEPALIVE = 32;

    private KeepAliveThroughput() {
    }

    /**
     * Measures; {@code rounds} rounds of one {@code slot} per side, {@code connections} client connections.
     *
     * @return the figures: requests per second of each side, their ratio (keepalive over none), failures
     */
    static Map<String, Object> run(Path binary, TestBackend backend, int rounds, Duration slot, int connections,
                                   List<AutoCloseable> closeables) throws Exception {
        Routing routing = Routing.of(Route.active(backend.target("ka"), 10000));
        TestNginx plain = TestNginx.create(binary, "plain");
        closeables.add(plain);
        plain.start(routing);
        TestNginx kept = TestNginx.create(binary, "kept");
        closeables.add(kept);
        kept.start(routing);
        kept.routerBuilder().upstreamOptions(UpstreamOptions.builder().keepalive(KEEPALIVE).build()).build()
                .apply(routing);
        int[] ports = {plain.port(), kept.port()};
        long[] ok = new long[2];
        long[] failed = new long[2];
        double[] seconds = new double[2];
        List<List<Double>> perSlot = List.of(new ArrayList<>(), new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < 2; k++) {
                int side = round % 2 == 0 ? k : 1 - k;
                try (LoadGenerator g = LoadGenerator.builder("127.0.0.1", ports[side])
                        .mode(LoadGenerator.Mode.KEEP_ALIVE).connections(connections)
                        .maxDuration(slot.plusSeconds(5)).timeout(Duration.ofSeconds(10)).build()) {
                    long t0 = System.nanoTime();
                    g.start();
                    Thread.sleep(slot.toMillis());
                    g.stop();
                    double s = (System.nanoTime() - t0) / 1e9;
                    ok[side] += g.ok();
                    failed[side] += g.failed();
                    seconds[side] += s;
                    perSlot.get(side).add(g.ok() / s);
                }
            }
        }
        double plainRps = ok[0] / seconds[0];
        double keptRps = ok[1] / seconds[1];
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientConnections", connections);
        m.put("rounds", rounds);
        m.put("slotMillis", slot.toMillis());
        m.put("noKeepaliveRequestsPerSecond", Stats.round(plainRps));
        m.put("keepalive" + KEEPALIVE + "RequestsPerSecond", Stats.round(keptRps));
        m.put("noKeepalivePerSlot", Stats.summary(perSlot.get(0)));
        m.put("keepalivePerSlot", Stats.summary(perSlot.get(1)));
        m.put("failed", Map.of("noKeepalive", failed[0], "keepalive", failed[1]));
        m.put("ratioKeepaliveOverNone", Stats.ratio(keptRps, plainRps));
        return m;
    }
}
