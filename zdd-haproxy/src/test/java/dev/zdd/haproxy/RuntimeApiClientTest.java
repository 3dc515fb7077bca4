package dev.zdd.haproxy;

import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against a fake runtime API that answers garbage, errors or nothing. */
class RuntimeApiClientTest {
    @TempDir
    Path dir;

    /** Generous timeouts: the fake answers at once, a slow machine must not turn that into a timeout. */
    private RuntimeApiClient client(Path socket) {
        return RuntimeApiClient.unixSocket(socket).connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void malformedAnswersBecomeClearExceptionsNeverHalfParsedData() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("g.sock"), line -> switch (line) {
            case "show servers state app" -> "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state "
                    + "srv_uweight srv_iweight srv_port\n3 app 1 blue 127.0.0.1 2 0 256 256 8080\n3 app 2 gre\n\n";
            case "show stat" -> "<html>not haproxy</html>\n";
            case "show info" -> "\u0000\u0001garbage";
            default -> "Unknown command.\n\n";
        })) {
            RuntimeApiClient c = client(fake.path());
            RuntimeApiException e = assertThrows(RuntimeApiException.class, () -> c.showServersState("app"));
            assertTrue(e.getMessage().contains("malformed answer to 'show servers state app'"), e.getMessage());
            assertTrue(e.getMessage().contains("line 4 has 4 fields"), e.getMessage());
            assertEquals("show servers state app", e.command());
            e = assertThrows(RuntimeApiException.class, c::showStat);
            assertTrue(e.getMessage().contains("expected a CSV header line"), e.getMessage());
            e = assertThrows(RuntimeApiException.class, c::version);
            assertTrue(e.getMessage().contains("no 'Version:' line"), e.getMessage());
            assertTrue(e.getMessage().contains("\\u0000\\u0001garbage"), e.getMessage());
            e = assertThrows(RuntimeApiException.class, () -> c.set("set server app/blue weight 1"));
            assertEquals("Unknown command.\n\n", e.answer());
            assertTrue(e.getMessage().contains("HAProxy refused 'set server app/blue weight 1': Unknown command."), e.getMessage());
        }
    }

    @Test
    void setAcceptsOnlyBareNewlines() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("s.sock"), line -> line.contains("bad") ? "\n\nNo such server.\n\n" : "\n\n")) {
            RuntimeApiClient c = client(fake.path());
            c.set(List.of("set server app/a weight 1", "set server app/a state ready"));
            assertEquals("set server app/a weight 1;set server app/a state ready", fake.received.get(0));
            RuntimeApiException e = assertThrows(RuntimeApiException.class,
                    () -> c.set(List.of("set server app/a weight 1", "set server app/bad state ready")));
            assertTrue(e.getMessage().contains("No such server."), e.getMessage());
        }
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("t.sock"), line -> null)) {
            // the fake holds the connection open without answering until closed: only the read timeout ends the call
            RuntimeApiClient c = RuntimeApiClient.unixSocket(fake.path()).readTimeout(Duration.ofMillis(300)).build();
            RuntimeApiException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(RuntimeApiException.class, c::version), "the read timeout did not end the call");
            assertTrue(e.getMessage().contains("did not answer 'show info' in time"), e.getMessage());
            assertEquals(List.of("show info"), fake.received);
        }
    }

    @Test
    void unreachableSocketIsAClearError() {
        RuntimeApiClient c = client(dir.resolve("missing.sock"));
        RuntimeApiException e = assertThrows(RuntimeApiException.class, c::version);
        assertTrue(e.getMessage().contains("cannot reach the HAProxy runtime API at unix@" + dir.resolve("missing.sock")),
                e.getMessage());
        RuntimeApiClient tcp = RuntimeApiClient.address("ipv4@127.0.0.1:1").connectTimeout(Duration.ofMillis(300)).build();
        assertThrows(RuntimeApiException.class, tcp::version);
    }

    /** Regression (issue 14): "unix:/tmp/x.sock" said "has a bad port" instead of pointing at HAProxy's '@'. */
    @Test
    void aUrlStyleFamilyPrefixSuggestsHaproxysNotation() {
        Map<String, String> typedToSuggested = Map.of(
                "unix:/tmp/x.sock", "'unix@/tmp/x.sock'",
                "unix:///run/haproxy/admin.sock", "'unix@/run/haproxy/admin.sock'",
                "UNIX:/tmp/x.sock", "'unix@/tmp/x.sock'",
                "ipv4://127.0.0.1:9999", "'ipv4@127.0.0.1:9999'",
                "ipv6:::1:9999", "'ipv6@::1:9999'");
        typedToSuggested.forEach((typed, suggested) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RuntimeApiClient.address(typed), typed);
            assertEquals("runtime API address '" + typed + "' is invalid: HAProxy writes the address family with '@',"
                    + " e.g. " + suggested, e.getMessage());
        });
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> RuntimeApiClient.address("127.0.0.1:x"));
        assertEquals("runtime API address '127.0.0.1:x' has a bad port 'x': expected HOST:PORT with a port 1-65535,"
                + " or a unix socket as /path or unix@/path", port.getMessage());
    }

    @Test
    void parsesHaproxyAddressNotation() {
        assertEquals("unix@/run/haproxy.sock", RuntimeApiClient.address("/run/haproxy.sock").build().address());
        assertEquals("unix@/run/haproxy.sock", RuntimeApiClient.address("unix@/run/haproxy.sock").build().address());
        assertEquals("127.0.0.1:9999", RuntimeApiClient.address("ipv4@127.0.0.1:9999").build().address());
        assertEquals("::1:9999", RuntimeApiClient.address("ipv6@::1:9999").build().address());
        assertThrows(IllegalArgumentException.class, () -> RuntimeApiClient.address("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> RuntimeApiClient.address("127.0.0.1:x"));
        assertThrows(IllegalArgumentException.class, () -> RuntimeApiClient.address(""));
        assertThrows(IllegalArgumentException.class, () -> RuntimeApiClient.tcp("127.0.0.1", 0));
        assertThrows(IllegalArgumentException.class,
                () -> RuntimeApiClient.unixSocket(Path.of("/x")).readTimeout(Duration.ZERO));
    }

    @Test
    void injectionAttemptsNeverReachTheSocket() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("i.sock"), line -> "\n")) {
            RuntimeApiClient c = client(fake.path());
            assertThrows(IllegalArgumentException.class, () -> c.execute("show info; shutdown sessions server app/a"));
            assertThrows(IllegalArgumentException.class, () -> c.execute("show info\nshutdown frontend fe"));
            assertThrows(IllegalArgumentException.class, () -> c.set(List.of("set server app/a weight 1", "x\ry")));
            assertThrows(IllegalArgumentException.class, () -> c.showServersState("app;shutdown frontend fe"));
            assertThrows(IllegalArgumentException.class, () -> c.showServersState("app #"));
            assertThrows(IllegalArgumentException.class, () -> c.showMap("/tmp/x.map shutdown"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HaproxyRouter.builder(c, "app").server("blue;del server app/green", Target.of("b", "v1", "127.0.0.1", 80)));
            assertTrue(e.getMessage().startsWith("server 'blue;del server app/green' is invalid"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> HaproxyRouter.builder(c, "app\nshow info"));
            assertTrue(fake.received.isEmpty(), "nothing may reach the socket: " + fake.received);
        }
    }
}
