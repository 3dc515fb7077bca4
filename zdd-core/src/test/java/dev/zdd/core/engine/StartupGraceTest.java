package dev.zdd.core.engine;

import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.HealthResult;
import dev.zdd.api.ProbePolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.zdd.core.engine.Fixture.awaitHealthy;
import static dev.zdd.core.engine.Fixture.launch;
import static dev.zdd.core.engine.Fixture.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The startup grace, Kubernetes-style, in virtual time: it covers a target that does not answer yet, and by default
 * ends at its first answer, so a v2 that is up and answers 503 rolls back after {@code failureThreshold} periods, not
 * after the whole grace.
 */
class StartupGraceTest {
    private static final Duration GRACE = Duration.ofSeconds(15);

    private static ProbePolicy policy(boolean endsAtFirstAnswer) {
        return Fixture.POLICY.toBuilder().startupGrace(GRACE).graceEndsAtFirstAnswer(endsAtFirstAnswer).build();
    }

    private static DeploymentResult run(Fixture f, ProbePolicy policy) {
        return f.finish(f.builder().probePolicy(policy).build().start(f.spec, plan(launch("n1"), awaitHealthy("n1"))));
    }

    @Test
    void theDefaultEndsTheGraceAtTheFirstAnswer() {
        assertTrue(ProbePolicy.DEFAULTS.graceEndsAtFirstAnswer());
        assertEquals(ProbePolicy.DEFAULT_GRACE_ENDS_AT_FIRST_ANSWER, ProbePolicy.DEFAULTS.graceEndsAtFirstAnswer());
    }

    @Test
    void aVersionAnswering503RollsBackSoonAfterItsFirstAnswer() {
        Fixture f = new Fixture();
        f.probe.script("n1", HealthResult.unhealthyAnswer("GET /health -> 503"));
        DeploymentResult r = run(f, policy(true));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(r.reason().contains("3 consecutive UNHEALTHY answers") && r.reason().contains("503"), r.reason());
        // answers at 0 s, 1 s, 2 s: the third fails the step; well before the 15 s grace
        assertTrue(f.time.elapsed().compareTo(Duration.ofSeconds(5)) < 0, "rolled back after " + f.time.elapsed());
    }

    @Test
    void refusedConnectionsStillHaveTheWholeGrace() {
        Fixture f = new Fixture();
        f.probe.alwaysUnhealthy("n1", "connection refused");
        DeploymentResult r = run(f, policy(true));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(f.time.elapsed().compareTo(GRACE) >= 0, "rolled back after " + f.time.elapsed());
    }

    @Test
    void refusedThen503CountsFromTheFirstAnswer() {
        Fixture f = new Fixture();
        HealthResult refused = HealthResult.unhealthy("connection refused");
        f.probe.script("n1", refused, refused, refused, refused, refused, HealthResult.unhealthyAnswer("-> 503"));
        DeploymentResult r = run(f, policy(true));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        Duration t = f.time.elapsed();
        assertTrue(t.compareTo(Duration.ofSeconds(7)) >= 0 && t.compareTo(Duration.ofSeconds(10)) < 0, "after " + t);
    }

    @Test
    void withTheGraceKeptFor503sTheWholeGraceIsWaited() {
        Fixture f = new Fixture();
        f.probe.script("n1", HealthResult.unhealthyAnswer("GET /health -> 503"));
        DeploymentResult r = run(f, policy(false));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(f.time.elapsed().compareTo(GRACE) >= 0, "rolled back after " + f.time.elapsed());
    }
}
