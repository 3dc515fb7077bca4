package dev.zdd.core.jdbc;

import dev.zdd.api.Clock;
import dev.zdd.core.lock.LockOwner;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to the JDBC stores is refused naming the field and the value, before any connection is made. */
class JdbcBuildersTest {
    @Test
    void badInputIsRejectedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JdbcDeploymentLock.builder().build())
                .getMessage().contains("lock.dataSource"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JdbcDeploymentLock.builder().ttl(Duration.ZERO))
                .getMessage().contains("lock.ttl"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> JdbcDeploymentLock.builder().queryTimeout(Duration.ofSeconds(-1))).getMessage()
                .contains("lock.queryTimeout"));
        JdbcDeploymentLock lock = JdbcDeploymentLock.builder().dataSource(new PGSimpleDataSource()).build();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> lock.tryAcquire("web'; DROP TABLE zdd_lease; --", LockOwner.current("d1", Clock.system())))
                .getMessage().contains("service 'web'; DROP TABLE"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> lock.tryAcquire("web", null))
                .getMessage().contains("lock owner"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JdbcJournalStore.on(null))
                .getMessage().contains("journal.dataSource"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> JdbcJournalStore.on(new PGSimpleDataSource(), Duration.ZERO)).getMessage()
                .contains("journal.queryTimeout"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JdbcJournalStore.on(new PGSimpleDataSource())
                .read("a/b")).getMessage().contains("'a/b'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JdbcSchema.create(null))
                .getMessage().contains("dataSource"));
    }

    @Test
    void anUnreachableDatabaseIsAClearFailureNotAHang() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {1}); // nothing listens on port 1
        ds.setConnectTimeout(2);
        JdbcDeploymentLock lock = JdbcDeploymentLock.builder().dataSource(ds).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> lock.tryAcquire("web", LockOwner.current("d1", Clock.system())));
        assertTrue(e.getMessage().startsWith("cannot take the lease of service 'web' in the database"), e.getMessage());
        assertTrue(assertThrows(dev.zdd.core.journal.JournalException.class, () -> JdbcJournalStore.on(ds).read("web"))
                .getMessage().contains("cannot read the journal of service 'web'"));
    }
}
