package dev.zdd.haproxy.internal;

import dev.zdd.haproxy.internal.CommandPlan.Kind;
import dev.zdd.haproxy.internal.CommandPlan.Setting;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves on a model of HAProxy's independent state and weight that the router's command order never produces the
 * measured trap: no serving server mid-way (HAProxy answers 503) although one serves before and after; and that at
 * the end every server's state and weight agree (a drained or disabled server keeps no weight).
 */
class CommandPlanTest {
    /** HAProxy's view of one server: admin state and weight are independent. */
    private static final class Server {
        String state = "ready";
        int weight = 256;

        boolean serving() {
            return state.equals("ready") && weight > 0;
        }
    }

    private static void run(Map<String, Server> servers, String cmd) {
        String[] f = cmd.split(" ");
        assertEquals("set", f[0]);
        Server s = servers.get(f[2].substring(f[2].indexOf('/') + 1));
        if (f[3].equals("state")) {
            s.state = f[4];
        } else {
            s.weight = Integer.parseInt(f[4]);
        }
    }

    @Test
    void setsStateAndWeightOfEveryServerInSafeOrder() {
        CommandPlan p = CommandPlan.of("app", List.of(new Setting("green", Kind.SERVE, 256),
                new Setting("blue", Kind.DRAIN, 0), new Setting("old", Kind.MAINT, 0), new Setting("idle", Kind.IDLE, 0)));
        assertEquals(List.of("set server app/green weight 256", "set server app/green state ready"), p.raise());
        assertEquals(List.of("set server app/blue state drain", "set server app/blue weight 0",
                "set server app/old state maint", "set server app/old weight 0",
                "set server app/idle weight 0", "set server app/idle state ready"), p.lower());
    }

    @Test
    void servingWeightMustBeOnHaproxyScale() {
        assertThrows(IllegalArgumentException.class,
                () -> CommandPlan.of("app", List.of(new Setting("a", Kind.SERVE, 0))));
        assertThrows(IllegalArgumentException.class,
                () -> CommandPlan.of("app", List.of(new Setting("a", Kind.SERVE, 257))));
    }

    @Test
    void randomTransitionsNeverLeaveZeroServingServersAndEndWithAgreeingStateAndWeight() {
        Random rnd = new Random(42);
        Kind[] kinds = Kind.values();
        for (int round = 0; round < 2000; round++) {
            int n = 2 + rnd.nextInt(4);
            Map<String, Server> servers = new HashMap<>();
            List<Setting> before = randomTable(rnd, n, kinds);
            List<Setting> after = randomTable(rnd, n, kinds);
            for (int i = 0; i < n; i++) {
                servers.put("s" + i, new Server());
            }
            CommandPlan init = CommandPlan.of("app", before);
            init.raise().forEach(c -> run(servers, c));
            init.lower().forEach(c -> run(servers, c));
            CommandPlan p = CommandPlan.of("app", after);
            List<String> all = new ArrayList<>(p.raise());
            all.addAll(p.lower());
            for (String c : all) {
                run(servers, c);
                assertTrue(servers.values().stream().anyMatch(Server::serving),
                        "no serving server after '" + c + "' going from " + before + " to " + after);
            }
            for (int i = 0; i < n; i++) {
                Server s = servers.get("s" + i);
                Setting want = after.get(i);
                assertEquals(want.kind() == Kind.SERVE, s.serving(), "final state of s" + i);
                assertEquals(want.kind() == Kind.SERVE ? want.weight() : 0, s.weight, "final weight of s" + i);
                if (want.kind() == Kind.DRAIN || want.kind() == Kind.MAINT) {
                    assertEquals(want.kind() == Kind.DRAIN ? "drain" : "maint", s.state);
                }
            }
        }
    }

    /** A table with at least one serving server, as the engine produces mid-deployment. */
    private static List<Setting> randomTable(Random rnd, int n, Kind[] kinds) {
        List<Setting> out = new ArrayList<>();
        int serving = rnd.nextInt(n);
        for (int i = 0; i < n; i++) {
            Kind k = i == serving ? Kind.SERVE : kinds[rnd.nextInt(kinds.length)];
            out.add(new Setting("s" + i, k, k == Kind.SERVE ? 1 + rnd.nextInt(256) : 0));
        }
        return out;
    }
}
