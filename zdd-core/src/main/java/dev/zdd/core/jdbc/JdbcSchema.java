package dev.zdd.core.jdbc;

import dev.zdd.api.Arguments;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables of {@link JdbcDeploymentLock} and {@link JdbcJournalStore}, as {@link #STATEMENTS} (also in
 * {@code docs/leases.md}), and {@link #create(DataSource)} to create them if missing. Written for PostgreSQL (the
 * tested database); other databases need the same columns with their own types. Stateless; thread-safe.
 */
public final class JdbcSchema {
    /** The lease table: one row per service, kept when released so that its token keeps growing. */
    public static final String LEASE_TABLE = """
            CREATE TABLE IF NOT EXISTS zdd_lease (
                service     VARCHAR(63) PRIMARY KEY,
                token       BIGINT NOT NULL,
                owner_id    VARCHAR(128),
                owner_pid   BIGINT,
                owner_host  VARCHAR(253),
                owner_since TIMESTAMP WITH TIME ZONE,
                renewed_at  TIMESTAMP WITH TIME ZONE,
                expires_at  TIMESTAMP WITH TIME ZONE
            )""";
    /** The journal table: the latest record per service, its write version and the writer's fencing token. */
    public static final String JOURNAL_TABLE = """
            CREATE TABLE IF NOT EXISTS zdd_journal (
                service       VARCHAR(63) PRIMARY KEY,
                version       BIGINT NOT NULL,
                token         BIGINT NOT NULL,
                deployment_id VARCHAR(128) NOT NULL,
                record        TEXT NOT NULL,
                updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
            )""";
    /** Every statement, in order. */
    public static final List<String> STATEMENTS = List.of(LEASE_TABLE, JOURNAL_TABLE);

    private JdbcSchema() {
    }

    /**
     * Creates the tables if they do not exist (idempotent; safe to call at every start).
     *
     * @throws IllegalStateException naming the statement when the database refuses it
     */
    public static void create(DataSource dataSource) {
        Arguments.notNull("dataSource", dataSource);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(true);
            try {
                for (String sql : STATEMENTS) {
                    s.execute(sql);
                }
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the zdd tables: " + Sql.describe(e), e);
        }
    }
}
