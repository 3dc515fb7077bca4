package dev.zdd.core.lease;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.crash.ChildJvm;
import dev.zdd.core.crash.RouterFront;
import dev.zdd.core.jdbc.JdbcSchema;
import dev.zdd.core.jdbc.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leases across real processes: child JVMs ({@link LeaseChild}) deploy one service with a lease and a journal in a
 * shared store (a real PostgreSQL started for this class, or a directory), against a {@link RouterFront} that records
 * the fencing token of every routing apply and refuses lower ones. Races, SIGKILL, SIGSTOP past the expiry, and a
 * database restart mid-deployment. Leases of {@value #TTL_MS} ms keep the wall time to seconds.
 */
class LeaseProcessesIT {
    static final long TTL_MS = 8000; // renewals every 1.6 s: robust on a loaded 2-core machine
    private static final Duration LINE = Duration.ofSeconds(60);
    private static PostgresCluster pg;

    @TempDir
    Path dir;
    private RouterFront front;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PostgresCluster.startOrSkip().orElse(null);
        if (pg != null) {
            JdbcSchema.create(pg.dataSource());
        }
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void front() throws Exception {
        front = RouterFront.start();
        Target b1 = front.launch("b1", "1.0");
        front.set(Routing.of(Route.active(b1, 10000)));
        if (pg != null) {
            try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM zdd_lease");
                s.execute("DELETE FROM zdd_journal");
            }
        }
    }

    @AfterEach
    void closeFront() {
        front.close();
    }

    private String jdbc() {
        Assumptions.assumeTrue(pg != null, "PostgreSQL is not installed (" + PostgresCluster.INSTALL_HINT + ")");
        return pg.url();
    }

    private String file() {
        return "file:" + dir.resolve("store");
    }

    private ChildJvm child(String mode, String store, String name, long waitMs, Path go) throws Exception {
        return ChildJvm.start(LeaseChild.class, mode, front.url(), store, name, Long.toString(TTL_MS),
                Long.toString(waitMs), go == null ? "-" : go.toString());
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "kill -" + sig + " " + pid);
    }

    private static void resumeQuietly(long pid) throws Exception {
        new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
    }

    /** Traffic is wholly on 1.0 again (b1 alone serves), and requests through the front are answered by it. */
    private void assertBackOnOldVersion() throws Exception {
        List<Target> serving = front.routing().servingTargets();
        assertEquals(List.of("b1"), serving.stream().map(Target::id).toList(), front.routing().toString());
        assertEquals(List.of("1.0", "1.0", "1.0", "1.0", "1.0"), front.sample(5));
        assertEquals(List.of("b1"), front.running(), "what the stale deployer launched was retired by the recovery");
    }

    /** The fencing token the process {@code pid} used (the front's log), or -1 when it applied nothing. */
    private long tokenOf(long pid) {
        return front.applyLog().stream().filter(a -> a.pid() == pid).mapToLong(RouterFront.Apply::token).max().orElse(-1);
    }

    /** After {@code newPid}'s first apply, nothing from {@code stalePid} was applied. */
    private void assertNoStaleApplyAfterTakeover(long stalePid, long newPid) {
        List<RouterFront.Apply> log = front.applyLog();
        int first = -1;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).pid() == newPid) {
                first = i;
                break;
            }
        }
        assertTrue(first >= 0, "the new holder applied the recovery: " + log);
        for (RouterFront.Apply a : log.subList(first, log.size())) {
            assertTrue(!(a.pid() == stalePid && a.applied()), "a stale apply after the takeover: " + log);
        }
        assertTrue(tokenOf(newPid) > tokenOf(stalePid), "tokens grow: " + log);
    }

    // ------------------------------------------------------------------------------------------------ races

    void twoDeployersAtTheSameMomentExactlyOneRuns(String store) throws Exception {
        Path go = dir.resolve("go");
        try (ChildJvm a = child("deploy", store, "a", 4000, go); ChildJvm b = child("deploy", store, "b", 4000, go)) {
            Thread.sleep(500);
            Files.createFile(go);
            String ra = a.awaitOneOf(LINE, "STARTED", "REFUSED");
            String rb = b.awaitOneOf(LINE, "STARTED", "REFUSED");
            assertTrue(ra.startsWith("STARTED") ^ rb.startsWith("STARTED"), "exactly one runs: a=" + ra + ", b=" + rb);
            ChildJvm winner = ra.startsWith("STARTED") ? a : b;
            String refused = ra.startsWith("REFUSED") ? ra : rb;
            String winnerId = (ra.startsWith("STARTED") ? ra : rb).substring("STARTED ".length());
            assertTrue(refused.contains("deployment " + winnerId + " (pid " + winner.pid()), "names the holder: " + refused);
            String done = winner.awaitLine("DONE", LINE);
            assertTrue(done.startsWith("DONE SUCCEEDED"), done);
        }
        assertEquals(List.of("2.0"), front.routing().servingTargets().stream().map(Target::version).distinct().toList());
    }

    @Test
    void jdbcTwoDeployersAtTheSameMomentExactlyOneRuns() throws Exception {
        twoDeployersAtTheSameMomentExactlyOneRuns(jdbc());
    }

    @Test
    void fileTwoDeployersAtTheSameMomentExactlyOneRuns() throws Exception {
        twoDeployersAtTheSameMomentExactlyOneRuns(file());
    }

    // ------------------------------------------------------------------------------------------------ SIGKILL

    void aKilledHolderIsTakenOverAfterExpiryAndRecovered(String store, boolean expiryMatters) throws Exception {
        long killedPid;
        long t0;
        try (ChildJvm a = child("deploy", store, "a", 60_000, null)) {
            a.awaitLine("STEP 2", LINE); // half of the traffic on a's new target, waiting
            killedPid = a.pid();
            a.kill();
            t0 = System.nanoTime();
        }
        try (ChildJvm b = child("recover", store, "b", 0, null)) {
            String started = b.awaitOneOf(LINE, "STARTED", "WAITING", "NOTHING");
            if (started.startsWith("WAITING")) {
                // refused while the dead holder's lease runs (unless this JVM took longer than the ttl to start)
                assertTrue(expiryMatters && started.contains("pid " + killedPid), "names the killed holder: " + started);
                b.awaitLine("STARTED", LINE);
            }
            String done = b.awaitLine("DONE", LINE);
            assertTrue(done.startsWith("DONE ROLLED_BACK") && done.contains("recovered after a crash"), done);
            if (expiryMatters) {
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.println("[lease] takeover after SIGKILL: recovery done " + waited + " ms after the kill (ttl "
                        + TTL_MS + " ms)");
            }
            assertNoStaleApplyAfterTakeover(killedPid, b.pid());
        }
        assertBackOnOldVersion();
    }

    @Test
    void jdbcAKilledHolderIsTakenOverAfterExpiryAndRecovered() throws Exception {
        aKilledHolderIsTakenOverAfterExpiryAndRecovered(jdbc(), true);
    }

    @Test
    void fileAKilledHolderIsTakenOverAndRecovered() throws Exception {
        aKilledHolderIsTakenOverAfterExpiryAndRecovered(file(), false);
    }

    // ------------------------------------------------------------------------------------------------ SIGSTOP

    @Test
    void jdbcAHolderStoppedPastItsExpiryIsFencedOutAfterTheTakeover() throws Exception {
        String store = jdbc();
        try (ChildJvm a = child("deploy", store, "a", 60_000, null)) {
            a.awaitLine("STEP 2", LINE);
            signal("STOP", a.pid());
            try (ChildJvm b = child("recover", store, "b", 0, null)) {
                String first = b.awaitOneOf(LINE, "STARTED", "WAITING");
                // refused naming the stopped holder while its lease runs (a JVM slower to start than the ttl skips this)
                assertTrue(first.startsWith("STARTED") || first.contains("pid " + a.pid()), first);
                String done = b.awaitLine("DONE", LINE);
                assertTrue(done.startsWith("DONE ROLLED_BACK"), done);
                int appliesBefore = front.applies();
                signal("CONT", a.pid());
                String stale = a.awaitLine("DONE", LINE);
                assertTrue(stale.startsWith("DONE FAILED lost its lease"), stale);
                assertEquals(appliesBefore, front.applies(), "the resumed holder changed no routing");
                assertNoStaleApplyAfterTakeover(a.pid(), b.pid());
            } finally {
                resumeQuietly(a.pid()); // never leave a stopped process behind when an assertion failed
            }
        }
        assertBackOnOldVersion();
    }

    @Test
    void fileAHolderStoppedIsNeverBrokenAndFencesItselfOutWhenResumed() throws Exception {
        String store = file();
        try (ChildJvm a = child("deploy", store, "a", 60_000, null)) {
            a.awaitLine("STEP 2", LINE);
            signal("STOP", a.pid());
            try (ChildJvm b = child("recover", store, "b", 0, null)) {
                String first = b.awaitOneOf(LINE, "STARTED", "WAITING");
                assertTrue(first.startsWith("WAITING") && first.contains("pid " + a.pid()), "a live local holder is"
                        + " never broken, even stopped: " + first);
                Thread.sleep(TTL_MS + 500);
                int appliesBefore = front.applies();
                signal("CONT", a.pid());
                String stale = a.awaitLine("DONE", LINE);
                assertTrue(stale.startsWith("DONE FAILED lost its lease") && stale.contains("not renewed in time"), stale);
                assertEquals(appliesBefore, front.applies(), "the resumed holder touched nothing");
                String done = b.awaitLine("DONE", LINE);
                assertTrue(done.startsWith("DONE ROLLED_BACK"), done);
                assertNoStaleApplyAfterTakeover(a.pid(), b.pid());
            } finally {
                resumeQuietly(a.pid()); // never leave a stopped process behind when an assertion failed
            }
        }
        assertBackOnOldVersion();
    }

    // ------------------------------------------------------------------------------------------------ database restart

    @Test
    void aDatabaseRestartStopsTheDeploymentBeforeItsLeaseCanExpireAndANewOneTakesOverAfter() throws Exception {
        String store = jdbc();
        try (ChildJvm a = child("deploy", store, "a", 60_000, null)) {
            a.awaitLine("STEP 2", LINE);
            int applies = front.applies();
            long t0 = System.nanoTime();
            pg.stop();
            try {
                String done = a.awaitLine("DONE", LINE);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.println("[lease] database stopped: the deployment ended " + ms + " ms later (ttl " + TTL_MS
                        + " ms): " + done);
                assertTrue(done.startsWith("DONE FAILED lost its lease") && done.contains("not renewed in time"), done);
                assertEquals(applies, front.applies(), "no router apply without a current lease");
            } finally {
                pg.start();
            }
        }
        try (ChildJvm b = child("recover", store, "b", 0, null)) {
            String done = b.awaitLine("DONE", LINE);
            assertTrue(done.startsWith("DONE ROLLED_BACK"), done);
        }
        assertBackOnOldVersion();
    }
}
