package dev.zdd.core.jdbc;

import dev.zdd.api.Clock;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.StaleTokenException;
import dev.zdd.core.journal.JournalFixtures;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.LeaseLostException;
import dev.zdd.core.lock.LockHeldException;
import dev.zdd.core.lock.LockOwner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JdbcDeploymentLock} and {@link JdbcJournalStore} against a real PostgreSQL started for this class. */
class JdbcStoresIT {
    private static PostgresCluster pg;
    private static DataSource ds;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PostgresCluster.startOrSkip().orElse(null);
        Assumptions.assumeTrue(pg != null, "PostgreSQL is not installed (" + PostgresCluster.INSTALL_HINT + ")");
        ds = pg.dataSource();
        JdbcSchema.create(ds);
        JdbcSchema.create(ds); // idempotent
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    private static LockOwner owner(String id) {
        return LockOwner.current(id, Clock.system());
    }

    @Test
    void oneHolderAtATimeRefusalsNameItAndTokensGrow() {
        JdbcDeploymentLock lock = JdbcDeploymentLock.builder().dataSource(ds).build();
        long first;
        try (DeploymentLock.Lease a = lock.tryAcquire("web", owner("d1"))) {
            first = a.token();
            LockHeldException e = assertThrows(LockHeldException.class, () -> lock.tryAcquire("web", owner("d2")));
            assertEquals("d1", e.holder().orElseThrow().deploymentId());
            assertTrue(e.getMessage().contains("deployment d1 (pid ") && e.getMessage().contains("lease token " + first),
                    e.getMessage());
            a.renew();
            assertEquals("d1", lock.holder("web").orElseThrow().deploymentId());
        }
        assertTrue(lock.holder("web").isEmpty(), "released");
        try (DeploymentLock.Lease b = lock.tryAcquire("web", owner("d3"))) {
            assertEquals(first + 1, b.token());
            assertTrue(b.tookOverFrom().isEmpty(), "a released lease is no takeover");
        }
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldHoldersRenewalFailsNamingTheNewOne() throws Exception {
        JdbcDeploymentLock lock = JdbcDeploymentLock.builder().dataSource(ds).ttl(Duration.ofMillis(500)).build();
        DeploymentLock.Lease old = lock.tryAcquire("api", owner("slow-1"));
        assertThrows(LockHeldException.class, () -> lock.tryAcquire("api", owner("d2")));
        Thread.sleep(900);
        try (DeploymentLock.Lease fresh = lock.tryAcquire("api", owner("fresh-1"))) {
            assertEquals(old.token() + 1, fresh.token());
            assertEquals("slow-1", fresh.tookOverFrom().orElseThrow().deploymentId());
            LeaseLostException e = assertThrows(LeaseLostException.class, old::renew);
            assertTrue(e.getMessage().contains("deployment fresh-1") && e.getMessage().contains("token " + fresh.token()),
                    e.getMessage());
            old.close(); // never releases the new holder's lease
            assertEquals("fresh-1", lock.holder("api").orElseThrow().deploymentId());
        }
    }

    @Test
    void manyThreadsRacingForOneServiceExactlyOneWins() throws Exception {
        JdbcDeploymentLock lock = JdbcDeploymentLock.builder().dataSource(ds).build();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<DeploymentLock.Lease>> tries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "racer-" + i;
            tries.add(pool.submit(() -> {
                go.await(10, TimeUnit.SECONDS);
                try {
                    return lock.tryAcquire("race", owner(id));
                } catch (LockHeldException e) {
                    return null;
                }
            }));
        }
        go.countDown();
        List<DeploymentLock.Lease> won = new ArrayList<>();
        for (Future<DeploymentLock.Lease> f : tries) {
            DeploymentLock.Lease l = f.get(30, TimeUnit.SECONDS);
            if (l != null) {
                won.add(l);
            }
        }
        pool.shutdown();
        assertEquals(1, won.size(), "exactly one of " + n + " wins");
        won.get(0).close();
    }

    @Test
    void theJournalKeepsTheLatestRecordAndRefusesAStaleToken() {
        JdbcJournalStore store = JdbcJournalStore.on(ds);
        assertTrue(store.read("web").isEmpty());
        JournalRecord r1 = JournalFixtures.record().withFencingToken(5);
        store.write(r1);
        assertEquals(r1, store.read("web").orElseThrow());
        JournalRecord r2 = r1.stepStarted(0, r1.updatedAt()).withFencingToken(6);
        store.write(r2);
        assertEquals(r2, store.read("web").orElseThrow());
        StaleTokenException e = assertThrows(StaleTokenException.class, () -> store.write(r2.stepCompleted(0,
                r2.updatedAt()).withFencingToken(5)));
        assertTrue(e.getMessage().contains("fencing token 5") && e.getMessage().contains("token 6"), e.getMessage());
        assertEquals(r2, store.read("web").orElseThrow(), "the refused write changed nothing");
        assertThrows(IllegalArgumentException.class, () -> store.read("../x"));
    }
}
