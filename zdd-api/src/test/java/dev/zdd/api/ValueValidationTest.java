package dev.zdd.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every value type refuses bad input when it is built, with a message naming the field and the value. */
class ValueValidationTest {
    private static final Target A = Target.of("a", "v1", "127.0.0.1", 8080);
    private static final Target B = Target.of("b", "v2", "127.0.0.1", 8081);

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "semi;colon", "new\nline", "hash#", "quote\"", "brace{", "dollar$", "-leading",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void targetIdsThatCouldInjectAreRefused(String id) {
        String m = message(() -> Target.of(id, "v1", "127.0.0.1", 8080));
        assertTrue(m.startsWith("target.id '"), m);
        assertFalse(m.contains("\n"), "control characters are escaped: " + m);
    }

    @Test
    void hostsAndPortsAreChecked() {
        assertEquals("endpoint.host 'evil;host' is invalid: expected a hostname, an IPv4 address or an IPv6 literal",
                message(() -> Endpoint.of("evil;host", 80)));
        assertEquals("endpoint.port must be in [1, 65535], was 0", message(() -> Endpoint.of("127.0.0.1", 0)));
        assertEquals("[::1]:8080", Endpoint.of("::1", 8080).authority());
        assertEquals("backend.internal:443", Endpoint.of("backend.internal", 443).authority());
    }

    @Test
    void attributeValuesWithControlCharactersAreRefused() {
        String m = message(() -> new Target("a", "v1", Endpoint.of("127.0.0.1", 1), Map.of("zone", "eu\r\nx")));
        assertEquals("target.attributes[zone] 'eu\\u000d\\u000ax' contains a control character", m);
    }

    @Test
    void routingRefusesDuplicateIdsAndWeightsOutOfRange() {
        assertEquals("routing.routes has duplicate target id 'a'",
                message(() -> Routing.of(Route.active(A, 5000), Route.active(A, 5000))));
        assertEquals("route.weight of a must be in [0, 10000], was 10001", message(() -> Route.active(A, 10_001)));
        assertEquals("route.weight of a must be in [0, 10000], was -1", message(() -> Route.active(A, -1)));
    }

    @Test
    void ruleValuesAreRestrictedSoTheyCanBeWrittenIntoConfigs() {
        String m = message(() -> Rule.match(RequestKey.header("X-User"), Set.of("alice; deny all"), "v2"));
        assertTrue(m.startsWith("rule.values 'alice; deny all' is invalid"), m);
        assertEquals("requestKey.name 'X User' is invalid: expected letters, digits, '_' or '-', 1 to 64 characters",
                message(() -> RequestKey.header("X User")));
        assertEquals("rule.values must not be empty", message(() -> Rule.match(RequestKey.cookie("ab"), Set.of(), "v2")));
    }

    @Test
    void probePolicyRefusesNegativeAndZeroDurationsAndKeepsKubernetesDefaults() {
        assertEquals("probePolicy.period must be positive, was PT-1S",
                message(() -> ProbePolicy.builder().period(Duration.ofSeconds(-1))));
        assertEquals("probePolicy.initialDelay must not be negative, was PT-0.001S",
                message(() -> ProbePolicy.builder().initialDelay(Duration.ofMillis(-1))));
        assertEquals("probePolicy.failureThreshold must be in [1, 1000], was 0",
                message(() -> ProbePolicy.builder().failureThreshold(0)));
        assertEquals("probePolicy.timeout PT2S must not exceed probePolicy.deadline PT1S",
                message(() -> ProbePolicy.builder().timeout(Duration.ofSeconds(2)).deadline(Duration.ofSeconds(1)).build()));
        ProbePolicy d = ProbePolicy.DEFAULTS;
        assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(1), 1, 3),
                List.of(d.period(), d.timeout(), d.successThreshold(), d.failureThreshold()));
        assertEquals(d, d.toBuilder().build());
    }

    @Test
    void stepsRefuseEmptyTargetListsNegativeDurationsAndDuplicateAllocations() {
        assertEquals("awaitHealthy.targetIds must not be empty", message(() -> new Step.AwaitHealthy(List.of())));
        assertEquals("pause.duration must be positive, was PT-5S", message(() -> new Step.Pause(Duration.ofSeconds(-5))));
        assertEquals("drain.timeout must not be negative, was PT-1S",
                message(() -> new Step.Drain(List.of("a"), Duration.ofSeconds(-1))));
        assertEquals("shiftTraffic.allocations has duplicate target id 'a'", message(() -> Step.ShiftTraffic.of("x",
                List.of(Step.Allocation.active("a", 1), Step.Allocation.active("a", 2)))));
        assertEquals("plan.steps must not be empty", message(() -> new Plan("p", List.of())));
    }

    @Test
    void specRefusesDuplicateTargetsAndTargetsOfAnotherVersion() {
        assertEquals("spec.targets has duplicate id 'b'",
                message(() -> DeploymentSpec.builder("shop", "v2").targets(B, B).build()));
        assertEquals("spec.targets: target 'a' runs version 'v1', not spec.version 'v2'",
                message(() -> DeploymentSpec.builder("shop", "v2").targets(A).build()));
        assertEquals("spec.instances must be in [0, 100000], was -1",
                message(() -> DeploymentSpec.builder("shop", "v2").instances(-1).build()));
    }

    @Test
    void sameTrafficAsComparesSharesNotRawWeights() {
        Routing basisPoints = Routing.of(Route.active(A, 1000), Route.active(B, 9000));
        Routing rescaled = Routing.of(Route.active(A, 10), Route.active(B, 90));
        assertTrue(basisPoints.sameTrafficAs(rescaled));
        assertFalse(basisPoints.sameTrafficAs(Routing.of(Route.active(A, 5000), Route.active(B, 5000))));
        assertFalse(Routing.of(Route.active(A, 10_000), Route.draining(B))
                .sameTrafficAs(Routing.of(Route.active(A, 10_000), Route.disabled(B))), "drain is not disable");
        assertEquals(Map.of("v1", 0.1, "v2", 0.9), basisPoints.versionShares());
        assertEquals(10_000, Routing.evenly(List.of(A, B, Target.of("c", "v1", "127.0.0.1", 1))).servingWeight());
    }

    @Test
    void capabilitiesRefuseWhatARouterCannotExpress() {
        RouterCapabilities haproxyLike = new RouterCapabilities(256, true, false, false, true);
        assertEquals("haproxy cannot express weight 10 of a next to weight 9990: its weights go from 1 to 256",
                message(() -> haproxyLike.check("haproxy", Routing.of(Route.active(A, 10), Route.active(B, 9990)))));
        haproxyLike.check("haproxy", Routing.of(Route.active(A, 100), Route.active(B, 9900)));
        assertEquals("haproxy does not support stickiness (requested header:X-User)", message(() -> haproxyLike.check("haproxy",
                Routing.of(Route.active(A, 5000), Route.active(B, 5000)).withStickiness(Stickiness.on(RequestKey.header("X-User"))))));
    }
}
