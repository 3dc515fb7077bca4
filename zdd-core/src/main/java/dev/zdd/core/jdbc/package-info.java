/**
 * A {@link dev.zdd.core.lock.DeploymentLock} and a {@link dev.zdd.core.journal.JournalStore} on a database, through
 * plain {@code java.sql} and a {@link javax.sql.DataSource} the user passes (zdd ships no driver): deployers on several
 * machines share one lease and one journal per service. Tested on PostgreSQL; see {@code docs/leases.md}.
 */
package dev.zdd.core.jdbc;
