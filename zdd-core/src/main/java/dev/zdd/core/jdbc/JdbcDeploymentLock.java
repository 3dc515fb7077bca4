package dev.zdd.core.jdbc;

import dev.zdd.api.Arguments;
import dev.zdd.core.internal.LeaseGrant;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.LeaseLostException;
import dev.zdd.core.lock.LockHeldException;
import dev.zdd.core.lock.LockOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link DeploymentLock} on a database table ({@code zdd_lease}, see {@link JdbcSchema}): one row per service with
 * the holder (deployment id, pid, host, since), the fencing token of the last grant, when it was renewed and when it
 * expires. Deployers on several machines sharing the database deploy one service at a time.
 *
 * <p>Every change is one conditional statement in autocommit mode, so READ COMMITTED isolation suffices (the database
 * re-checks the condition on the row it updates): a grant is {@code UPDATE ... SET token = token + 1 ... WHERE service
 * = ? AND token = <the token read> AND (no holder OR expires_at < CURRENT_TIMESTAMP)}, a renewal {@code UPDATE ... SET
 * expires_at = CURRENT_TIMESTAMP + ttl WHERE service = ? AND token = <mine>}, a release clears the holder where the
 * token is still mine. Expiry uses the <em>database's</em> clock only; the engine counts the holder's side with its
 * monotonic clock and stops trusting the lease before the database can expire it.
 *
 * <p>Connection loss: a failed renewal throws (the engine retries until its own bound, then stops touching anything:
 * the deployment ends FAILED saying its lease was not renewed in time); a failed grant is an
 * {@link IllegalStateException} naming the database error. Every statement has a query timeout
 * ({@link Builder#queryTimeout}); give the {@link DataSource} connect and socket timeouts too (PostgreSQL:
 * {@code connectTimeout}, {@code socketTimeout}), since getting a connection is the driver's business.
 *
 * <p>Immutable; thread-safe.
 */
public final class JdbcDeploymentLock implements DeploymentLock {
    /** Default validity of a grant or a renewal: 30 seconds (the engine renews every fifth of it). */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    /** Default bound of each statement: 5 seconds. */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(JdbcDeploymentLock.class);
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final String SELECT = "SELECT token, owner_id, owner_pid, owner_host, owner_since, renewed_at,"
            + " expires_at, CASE WHEN expires_at < CURRENT_TIMESTAMP THEN 1 ELSE 0 END AS expired"
            + " FROM zdd_lease WHERE service = ?";
    private static final String INSERT = "INSERT INTO zdd_lease (service, token) VALUES (?, 0)";
    private static final String GRANT = "UPDATE zdd_lease SET token = token + 1, owner_id = ?, owner_pid = ?,"
            + " owner_host = ?, owner_since = ?, renewed_at = CURRENT_TIMESTAMP,"
            + " expires_at = CURRENT_TIMESTAMP + ? * INTERVAL '1 millisecond'"
            + " WHERE service = ? AND token = ? AND (owner_id IS NULL OR expires_at < CURRENT_TIMESTAMP)";
    private static final String RENEW = "UPDATE zdd_lease SET renewed_at = CURRENT_TIMESTAMP,"
            + " expires_at = CURRENT_TIMESTAMP + ? * INTERVAL '1 millisecond'"
            + " WHERE service = ? AND token = ? AND owner_id = ?";
    private static final String RELEASE = "UPDATE zdd_lease SET owner_id = NULL, owner_pid = NULL, owner_host = NULL,"
            + " owner_since = NULL, renewed_at = NULL, expires_at = NULL WHERE service = ? AND token = ?";

    private final DataSource dataSource;
    private final Duration ttl;
    private final Duration queryTimeout;

    private JdbcDeploymentLock(Builder b) {
        this.dataSource = b.dataSource;
        this.ttl = b.ttl;
        this.queryTimeout = b.queryTimeout;
    }

    /** A builder; {@link Builder#dataSource(DataSource)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public Lease tryAcquire(String service, LockOwner owner) {
        if (service == null || !SERVICE.matcher(service).matches()) {
            throw new IllegalArgumentException("service '" + service + "' is invalid: expected letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit, at most 63");
        }
        Arguments.notNull("lock owner", owner);
        try {
            return Sql.run(dataSource, c -> grant(c, service, owner));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take the lease of service '" + service + "' in the database: "
                    + Sql.describe(e), e);
        }
    }

    private Lease grant(Connection c, String service, LockOwner owner) throws SQLException {
        Row row = read(c, service).orElse(null);
        if (row == null) {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setQueryTimeout(Sql.seconds(queryTimeout));
                ps.setString(1, service);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (!Sql.duplicate(e)) {
                    throw e;
                }
            }
            row = read(c, service).orElseThrow(() -> new SQLException("zdd_lease row of " + service + " vanished"));
        }
        if (row.owner != null && !row.expired) {
            throw new LockHeldException(service, row.owner, "lease token " + row.token + ", renewed " + row.renewedAt
                    + ", expires " + row.expiresAt + " (database time)");
        }
        int n;
        try (PreparedStatement ps = c.prepareStatement(GRANT)) {
            ps.setQueryTimeout(Sql.seconds(queryTimeout));
            ps.setString(1, owner.deploymentId());
            ps.setLong(2, owner.pid());
            ps.setString(3, owner.host());
            ps.setTimestamp(4, Timestamp.from(owner.since()));
            ps.setLong(5, ttl.toMillis());
            ps.setString(6, service);
            ps.setLong(7, row.token);
            n = ps.executeUpdate();
        }
        if (n != 1) {
            // another deployer got it between our read and our update
            LockOwner now = read(c, service).map(r -> r.owner).orElse(null);
            throw new LockHeldException(service, now, "taken at the same moment");
        }
        long token = row.token + 1;
        if (row.owner != null) {
            LOG.warn("deployment lease of service '{}' taken over by {} (token {}): the previous holder, {}, let it expire",
                    service, owner.deploymentId(), token, row.owner);
        }
        return new JdbcLease(service, owner, token, row.owner);
    }

    private Optional<Row> read(Connection c, String service) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setQueryTimeout(Sql.seconds(queryTimeout));
            ps.setString(1, service);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String id = rs.getString("owner_id");
                LockOwner o = null;
                if (id != null) {
                    try {
                        o = new LockOwner(id, rs.getLong("owner_pid"), rs.getString("owner_host"),
                                rs.getTimestamp("owner_since").toInstant());
                    } catch (RuntimeException e) {
                        throw new SQLException("zdd_lease row of " + service + " holds an invalid owner: " + e.getMessage(), e);
                    }
                }
                Timestamp renewed = rs.getTimestamp("renewed_at");
                Timestamp expires = rs.getTimestamp("expires_at");
                return Optional.of(new Row(rs.getLong("token"), o, renewed == null ? null : renewed.toInstant(),
                        expires == null ? null : expires.toInstant(), rs.getInt("expired") == 1));
            }
        }
    }

    /** The current holder of {@code service}'s lease, if any (for messages and tests). */
    public Optional<LockOwner> holder(String service) {
        try {
            return Sql.run(dataSource, c -> read(c, service)).filter(r -> !r.expired).map(r -> r.owner);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the lease of service '" + service + "': " + Sql.describe(e), e);
        }
    }

    @Override
    public String toString() {
        return "JdbcDeploymentLock[ttl " + ttl + "]";
    }

    private record Row(long token, LockOwner owner, java.time.Instant renewedAt, java.time.Instant expiresAt,
                       boolean expired) {
    }

    /** A lease row held by this process. */
    private final class JdbcLease extends LeaseGrant {
        private volatile boolean closed;

        JdbcLease(String service, LockOwner owner, long token, LockOwner previous) {
            super(service, owner, token, previous);
        }

        @Override
        public void renew() {
            if (closed) {
                throw released();
            }
            try {
                Sql.run(dataSource, c -> {
                    int n;
                    try (PreparedStatement ps = c.prepareStatement(RENEW)) {
                        ps.setQueryTimeout(Sql.seconds(queryTimeout));
                        ps.setLong(1, ttl.toMillis());
                        ps.setString(2, service);
                        ps.setLong(3, token);
                        ps.setString(4, owner.deploymentId());
                        n = ps.executeUpdate();
                    }
                    if (n != 1) {
                        Row now = read(c, service).orElse(null);
                        throw new LeaseLostException(service, now == null ? null : now.owner, "the lease of "
                                + owner.deploymentId() + " (token " + token + ") expired and was taken over"
                                + (now == null ? "" : " with token " + now.token));
                    }
                    return null;
                });
            } catch (SQLException e) {
                throw new IllegalStateException("cannot renew the lease of service '" + service + "' (token " + token
                        + "): " + Sql.describe(e), e);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Sql.run(dataSource, c -> {
                    try (PreparedStatement ps = c.prepareStatement(RELEASE)) {
                        ps.setQueryTimeout(Sql.seconds(queryTimeout));
                        ps.setString(1, service);
                        ps.setLong(2, token);
                        return ps.executeUpdate();
                    }
                });
            } catch (SQLException | RuntimeException e) {
                LOG.warn("cannot release the lease of service '{}' (token {}); it expires by itself within {}: {}",
                        service, token, ttl, e.toString());
            }
        }

        @Override
        public String toString() {
            return "JdbcLease[" + service + ", " + owner + ", token " + token + "]";
        }
    }

    /** Builds a {@link JdbcDeploymentLock}. Not thread-safe. */
    public static final class Builder {
        private DataSource dataSource;
        private Duration ttl = DEFAULT_TTL;
        private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;

        private Builder() {
        }

        /** Where the {@code zdd_lease} table lives ({@link JdbcSchema#create}). Required. */
        public Builder dataSource(DataSource v) {
            dataSource = Arguments.notNull("lock.dataSource", v);
            return this;
        }

        /** How long a grant or a renewal stays valid (database time). Positive. Default {@link #DEFAULT_TTL}. */
        public Builder ttl(Duration v) {
            ttl = Arguments.positive("lock.ttl", v);
            return this;
        }

        /** Bound of each statement (rounded up to whole seconds). Positive. Default {@link #DEFAULT_QUERY_TIMEOUT}. */
        public Builder queryTimeout(Duration v) {
            queryTimeout = Arguments.positive("lock.queryTimeout", v);
            return this;
        }

        /** Builds; throws {@link IllegalArgumentException} when no data source was given. */
        public JdbcDeploymentLock build() {
            if (dataSource == null) {
                throw new IllegalArgumentException("lock.dataSource is required");
            }
            return new JdbcDeploymentLock(this);
        }
    }
}
