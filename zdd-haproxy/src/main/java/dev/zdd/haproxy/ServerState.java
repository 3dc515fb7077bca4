package dev.zdd.haproxy;

/**
 * One server line of {@code show servers state}: the admin state and weights that HAProxy really applies.
 *
 * <p>Immutable value; thread-safe.
 *
 * @param backendName   the backend
 * @param serverId      HAProxy's numeric server id
 * @param serverName    the server name
 * @param address       the server address (IP literal or name)
 * @param port          the server port (0 when none)
 * @param operState     srv_op_state: 0 stopped (down), 1 starting, 2 running, 3 stopping
 * @param adminState    srv_admin_state: bit field, see {@link #inMaintenance()} and {@link #draining()}
 * @param userWeight    srv_uweight, the current weight (0 to 256)
 * @param initialWeight srv_iweight, the weight from the configuration
 * @param checkState    srv_check_state: bit field of the health check, see {@link #checked()} (0 when not reported)
 */
public record ServerState(String backendName, int serverId, String serverName, String address, int port,
                          int operState, int adminState, int userWeight, int initialWeight, int checkState) {
    /** Check state bit: the server has a health check ({@code check}) and it runs. */
    public static final int CHECK_ENABLED = 0x04;
    /** Check state bit: the check is paused (the server is in maintenance). */
    public static final int CHECK_PAUSED = 0x08;

    /** A state without check information ({@code checkState} 0). */
    public ServerState(String backendName, int serverId, String serverName, String address, int port,
                       int operState, int adminState, int userWeight, int initialWeight) {
        this(backendName, serverId, serverName, address, port, operState, adminState, userWeight, initialWeight, 0);
    }

    /** srv_op_state of a server that is down. */
    public static final int OP_STOPPED = 0;
    /** srv_op_state of a server in slow start. */
    public static final int OP_STARTING = 1;
    /** srv_op_state of a running server. */
    public static final int OP_RUNNING = 2;
    /** srv_op_state of a soft-stopping server. */
    public static final int OP_STOPPING = 3;

    /** Admin bits meaning maintenance: forced (0x01), inherited (0x02) or address resolution (0x20). */
    public static final int ADMIN_MAINT_MASK = 0x23;
    /** Admin bits meaning drain: forced (0x08) or inherited (0x10). */
    public static final int ADMIN_DRAIN_MASK = 0x18;

    /** {@code true} when the server is in maintenance (takes no traffic at all). */
    public boolean inMaintenance() {
        return (adminState & ADMIN_MAINT_MASK) != 0;
    }

    /** {@code true} when the server is draining (no new load-balanced traffic) and not in maintenance. */
    public boolean draining() {
        return !inMaintenance() && (adminState & ADMIN_DRAIN_MASK) != 0;
    }

    /** {@code true} when the server is up (running or starting) as far as health checks are concerned. */
    public boolean up() {
        return operState == OP_RUNNING || operState == OP_STARTING;
    }

    /** {@code true} when HAProxy health-checks this server and the check is not paused. */
    public boolean checked() {
        return (checkState & CHECK_ENABLED) != 0 && (checkState & CHECK_PAUSED) == 0;
    }

    /**
     * {@code true} when the server is administratively ready (neither in maintenance nor draining): the operator's
     * intent is "serve", whatever the health check says.
     */
    public boolean ready() {
        return !inMaintenance() && !draining();
    }

    /**
     * {@code true} when the server is ready but HAProxy's own health check takes it out of rotation (down, or
     * stopping after a {@code 404} with {@code disable-on-404}): the balancer's business, not maintenance.
     */
    public boolean downByCheck() {
        return ready() && checked() && operState != OP_RUNNING && operState != OP_STARTING;
    }

    /** {@code true} when HAProxy sends it new load-balanced requests: up, ready, weight above 0. */
    public boolean serving() {
        return up() && !inMaintenance() && !draining() && userWeight > 0;
    }
}
