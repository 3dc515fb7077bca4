package dev.zdd.core.jdbc;

import dev.zdd.api.Arguments;
import dev.zdd.core.journal.JournalCodec;
import dev.zdd.core.journal.JournalException;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.JournalStore;
import dev.zdd.core.journal.StaleTokenException;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link JournalStore} on a database table ({@code zdd_journal}, see {@link JdbcSchema}): the latest record of each
 * service in {@link JournalCodec}'s format (a checksummed header, then JSON), with a write version and the fencing
 * token of its writer.
 *
 * <p>A write is a compare-and-set: it reads the row's version and token, refuses with {@link StaleTokenException} a
 * record whose {@link JournalRecord#fencingToken()} is lower than the row's, and updates with {@code WHERE service = ?
 * AND version = <read> AND token <= <mine>}; a concurrent write makes it read and try again (at most
 * {@value #ATTEMPTS} times). One statement per change, autocommit, READ COMMITTED isolation suffices. A write either
 * replaced the row or did not: after a crash or a lost connection the row holds the previous record or the new one.
 * Every statement has a query timeout.
 *
 * <p>Immutable; thread-safe.
 */
public final class JdbcJournalStore implements JournalStore {
    /** Default bound of each statement: 5 seconds. */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
    private static final int ATTEMPTS = 3;
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final String SELECT = "SELECT version, token, deployment_id FROM zdd_journal WHERE service = ?";
    private static final String READ = "SELECT record FROM zdd_journal WHERE service = ?";
    private static final String INSERT = "INSERT INTO zdd_journal (service, version, token, deployment_id, record,"
            + " updated_at) VALUES (?, 1, ?, ?, ?, CURRENT_TIMESTAMP)";
    private static final String UPDATE = "UPDATE zdd_journal SET version = version + 1, token = ?, deployment_id = ?,"
            + " record = ?, updated_at = CURRENT_TIMESTAMP WHERE service = ? AND version = ? AND token <= ?";

    private final DataSource dataSource;
    private final Duration queryTimeout;

    private JdbcJournalStore(DataSource dataSource, Duration queryTimeout) {
        this.dataSource = dataSource;
        this.queryTimeout = queryTimeout;
    }

    /** A store on {@code dataSource} with the default query timeout. */
    public static JdbcJournalStore on(DataSource dataSource) {
        return on(dataSource, DEFAULT_QUERY_TIMEOUT);
    }

    /** A store on {@code dataSource}; {@code queryTimeout} bounds each statement (rounded up to whole seconds). */
    public static JdbcJournalStore on(DataSource dataSource, Duration queryTimeout) {
        return new JdbcJournalStore(Arguments.notNull("journal.dataSource", dataSource),
                Arguments.positive("journal.queryTimeout", queryTimeout));
    }

    @Override
    public void write(JournalRecord record) {
        Arguments.notNull("record", record);
        String service = checked(record.service());
        String text = new String(JournalCodec.encode(record), StandardCharsets.UTF_8);
        try {
            Sql.run(dataSource, c -> {
                for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                    if (writeOnce(c, service, record, text)) {
                        return null;
                    }
                }
                throw new JournalException("journal of service '" + service + "': " + ATTEMPTS
                        + " writes in a row met a concurrent writer");
            });
        } catch (SQLException e) {
            throw new JournalException("cannot write the journal of service '" + service + "' to the database: "
                    + Sql.describe(e), e);
        }
    }

    private boolean writeOnce(Connection c, String service, JournalRecord record, String text) throws SQLException {
        long version;
        try (PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setQueryTimeout(Sql.seconds(queryTimeout));
            ps.setString(1, service);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    version = 0;
                } else {
                    version = rs.getLong("version");
                    long token = rs.getLong("token");
                    if (token > record.fencingToken()) {
                        throw new StaleTokenException(service, record.fencingToken(), token, rs.getString("deployment_id"));
                    }
                }
            }
        }
        if (version == 0) {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setQueryTimeout(Sql.seconds(queryTimeout));
                ps.setString(1, service);
                ps.setLong(2, record.fencingToken());
                ps.setString(3, record.deploymentId());
                ps.setString(4, text);
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (Sql.duplicate(e)) {
                    return false;
                }
                throw e;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            ps.setQueryTimeout(Sql.seconds(queryTimeout));
            ps.setLong(1, record.fencingToken());
            ps.setString(2, record.deploymentId());
            ps.setString(3, text);
            ps.setString(4, service);
            ps.setLong(5, version);
            ps.setLong(6, record.fencingToken());
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public Optional<JournalRecord> read(String service) {
        checked(service);
        String text;
        try {
            text = Sql.run(dataSource, c -> {
                try (PreparedStatement ps = c.prepareStatement(READ)) {
                    ps.setQueryTimeout(Sql.seconds(queryTimeout));
                    ps.setString(1, service);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                }
            });
        } catch (SQLException e) {
            throw new JournalException("cannot read the journal of service '" + service + "' from the database: "
                    + Sql.describe(e), e);
        }
        if (text == null) {
            return Optional.empty();
        }
        String source = "zdd_journal row '" + service + "'";
        JournalRecord r = JournalCodec.decode(text.getBytes(StandardCharsets.UTF_8), source);
        if (!r.service().equals(service)) {
            throw new dev.zdd.core.journal.JournalCorruptException(source, "it describes service '" + r.service() + "'");
        }
        return Optional.of(r);
    }

    private static String checked(String service) {
        if (service == null || !SERVICE.matcher(service).matches()) {
            throw new IllegalArgumentException("service '" + service + "' is invalid: expected letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit, at most 63");
        }
        return service;
    }

    @Override
    public String toString() {
        return "JdbcJournalStore[zdd_journal]";
    }
}
