package dev.zdd.core.crash;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.journal.RecoveryMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real crash test: a child JVM runs {@link CrashScenario} against a {@link RouterFront} (a routing table behind HTTP,
 * with real HTTP backends) and is killed with SIGKILL at each crash point in turn; then the next run, on the same
 * journal, recovers. After it, traffic must be wholly on 1.0 or wholly on 2.0, on live backends only.
 */
class CrashRecoveryTest {
    @TempDir
    Path tmp;

    /** Crash points tried by the last run (reported in docs/reliability.md). */
    static int crashPoints;

    private RouterFront front(Path dir) throws Exception {
        RouterFront front = RouterFront.start();
        Target b1 = front.launch("b1", "1.0");
        front.set(Routing.of(Route.active(b1, Routing.MAX_WEIGHT)));
        Files.createDirectories(dir);
        return front;
    }

    @Test
    void killedAtEveryCrashPointTheNextRunLeavesTrafficWhollyOnOneLiveVersion() throws Exception {
        // baseline: no kill, count the crash points
        int points;
        Path base = tmp.resolve("baseline");
        try (RouterFront front = front(base);
             ChildJvm child = ChildJvm.start(CrashChild.class, front.url(), base.toString(), "-1")) {
            String done = child.awaitLine("DONE", Duration.ofSeconds(60));
            assertTrue(done.startsWith("DONE SUCCEEDED"), done);
            points = (int) child.output().stream().filter(l -> l.startsWith("POINT")).count();
            assertEquals(Set.of("2.0"), front.routing().servingVersions());
        }
        assertTrue(points >= 15, "points: " + points);
        // the crash points run three at a time, each with its own router, backends and journal
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PARALLEL);
        try {
            List<java.util.concurrent.Future<String>> runs = new ArrayList<>();
            for (int k = 0; k < points; k++) {
                int point = k;
                runs.add(pool.submit(() -> killAndRecover(point)));
            }
            List<String> report = new ArrayList<>();
            for (java.util.concurrent.Future<String> f : runs) {
                try {
                    report.add(f.get(120, java.util.concurrent.TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw e;
                }
            }
            crashPoints = points;
            System.out.println("[crash test] " + points + " crash points:\n  " + String.join("\n  ", report));
        } finally {
            pool.shutdownNow();
        }
    }

    private static final int PARALLEL = 3;

    /** Kills a child at crash point {@code k}, recovers on the same journal, checks the traffic; returns a report line. */
    private String killAndRecover(int k) throws Exception {
        RecoveryMode mode = k % 3 == 2 ? RecoveryMode.RESUME : RecoveryMode.ROLL_BACK;
        Path dir = tmp.resolve("kill-" + k);
        try (RouterFront front = front(dir)) {
            String where;
            try (ChildJvm child = ChildJvm.start(CrashChild.class, front.url(), dir.toString(), String.valueOf(k))) {
                child.awaitLine("KILLME " + k, Duration.ofSeconds(90));
                List<String> out = child.output();
                where = out.get(out.size() - 2);
                child.kill();
            }
            List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
            Engine next = CrashScenario.engine(front.url(), dir, mode, p -> { }, events::add);
            Optional<Deployment> recovery = next.recover(CrashScenario.SERVICE);
            assertTrue(recovery.isPresent(), "the interrupted deployment is found after a kill at " + where);
            DeploymentResult r = recovery.get().await(Duration.ofSeconds(60));
            String version = assertWhollyOnOneLiveVersion(front, where + " / " + mode + " -> " + r.status() + " " + r.reason()
                    + " " + r.leftovers());
            // what it found is said in the STARTED event and the result (and logged)
            DeploymentEvent.Started started = (DeploymentEvent.Started) events.get(0);
            assertTrue(started.recovery(), started::toString);
            assertTrue(started.detail().startsWith("recovering deployment shop-2.0-"), started.detail());
            if (r.status() == DeploymentStatus.SUCCEEDED) {
                assertEquals("2.0", version);
            } else if (r.status() == DeploymentStatus.ROLLED_BACK) {
                assertEquals("1.0", version, where);
                assertTrue(r.reason().startsWith("recovered after a crash ("), r.reason());
                assertEquals(List.of("b1"), front.running(), "launched targets retired, old one alive: " + where);
            } else {
                // FAILED only when the crash hit a launch whose target the journal could not know yet: it says so
                assertEquals(DeploymentStatus.FAILED, r.status(), where);
                assertTrue(r.leftovers().toString().contains("launch of g1 (2.0) was interrupted by a crash"), r.leftovers().toString());
                assertEquals("1.0", version);
            }
            if (mode == RecoveryMode.RESUME) {
                assertEquals(DeploymentStatus.SUCCEEDED, r.status(), where);
            }
            assertFalse(next.recover(CrashScenario.SERVICE).isPresent(), "recovered once, not twice");
            return k + " " + mode + " " + where + " -> " + r.status() + " on " + version;
        }
    }

    /** Asserts that the router serves one version, on running backends, and that requests through it get that version. */
    static String assertWhollyOnOneLiveVersion(RouterFront front, String context) throws Exception {
        Routing now = front.routing();
        assertEquals(1, now.servingVersions().size(), "one version serving, not a mix: " + now + " after " + context);
        for (Target t : now.servingTargets()) {
            assertTrue(front.running().contains(t.id()), "serving target " + t.id() + " is alive: " + now + " after " + context);
        }
        String version = now.servingVersions().iterator().next();
        List<String> answers = front.sample(10);
        assertEquals(Collections.nCopies(10, version), answers, "requests through the router after " + context);
        return version;
    }

    @Test
    void twoProcessesDeployingTheSameServiceAtTheSameMomentExactlyOneRuns() throws Exception {
        Path dir = tmp.resolve("race");
        Path go = dir.resolve("go");
        try (RouterFront front = front(dir);
             ChildJvm a = ChildJvm.start(CrashChild.class, front.url(), dir.toString(), "-1", go.toString());
             ChildJvm b = ChildJvm.start(CrashChild.class, front.url(), dir.toString(), "-1", go.toString())) {
            Files.createFile(go);
            String ra = a.awaitOneOf(Duration.ofSeconds(60), "DONE", "REFUSED");
            String rb = b.awaitOneOf(Duration.ofSeconds(60), "DONE", "REFUSED");
            assertTrue(ra.startsWith("DONE SUCCEEDED") ^ rb.startsWith("DONE SUCCEEDED"), "exactly one runs: " + ra + " | " + rb);
            String refused = ra.startsWith("REFUSED") ? ra : rb;
            long winner = ra.startsWith("REFUSED") ? b.pid() : a.pid();
            assertTrue(refused.startsWith("REFUSED service 'shop' is being deployed by deployment shop-2.0-")
                    && refused.contains("(pid " + winner + " on host "), refused);
            assertEquals(Set.of("2.0"), front.routing().servingVersions());
            assertEquals(2, front.applies(), "the two shifts of one deployment, nothing from the refused one");
        }
    }
}
