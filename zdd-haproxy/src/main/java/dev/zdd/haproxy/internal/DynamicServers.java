package dev.zdd.haproxy.internal;

import dev.zdd.api.Arguments;
import dev.zdd.api.Endpoint;
import dev.zdd.api.RouterException;
import dev.zdd.api.Target;
import dev.zdd.haproxy.RuntimeApiClient;
import dev.zdd.haproxy.RuntimeApiException;
import dev.zdd.haproxy.ServerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HAProxy router's runtime commands for servers and maps: adding dynamic servers, deleting removed ones (HAProxy
 * refuses while connections remain, so it retries, bounded), and replacing a map's content atomically. Stateless: the
 * router owns the sets it passes and calls these under its apply lock.
 */
public final class DynamicServers {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.haproxy.HaproxyRouter");
    private static final int MAP_BATCH = 200;

    private DynamicServers() {
    }

    /** Adds the table's targets that the backend lacks ({@code add server ... weight 0}), recording them in {@code added}. */
    public static void addMissing(RuntimeApiClient client, String backend, Desired d, List<ServerState> states,
                                  Set<String> staticServers, Map<String, Target> added) {
        Map<String, ServerState> existing = new HashMap<>();
        for (ServerState s : states) {
            existing.put(s.serverName(), s);
        }
        for (Map.Entry<String, Target> e : d.targets().entrySet()) {
            String name = e.getKey();
            if (staticServers.contains(name)) {
                continue;
            }
            Endpoint ep = e.getValue().endpoint();
            ServerState s = existing.get(name);
            if (s != null) {
                if (!s.address().equals(ep.host()) || s.port() != ep.port()) {
                    throw new RuntimeApiException("HAProxy server " + backend + "/" + name + " exists with address "
                            + s.address() + ":" + s.port() + " but target '" + name + "' is at " + ep, "", "");
                }
                added.put(name, e.getValue());
                continue;
            }
            String addr = ep.isIpv6() ? "ipv6@" + ep.host() + ":" + ep.port() : ep.host() + ":" + ep.port();
            String cmd = "add server " + backend + "/" + name + " " + addr + " weight 0";
            String answer = client.execute(cmd);
            if (!answer.startsWith("New server registered")) {
                throw new RuntimeApiException("HAProxy refused '" + cmd + "': " + Arguments.printable(answer.trim()), cmd, answer);
            }
            added.put(name, e.getValue());
            LOG.info("added HAProxy server {}/{} at {} (maintenance, weight 0)", backend, name, addr);
        }
    }

    /** Replaces a map's content atomically: prepare a new version, fill it, commit it. */
    public static void replaceMap(RuntimeApiClient client, String file, Map<String, String> entries) {
        long version = client.prepareMap(file);
        List<String> batch = new ArrayList<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            batch.add("add map @" + version + " " + file + " " + Names.mapWord("map key", e.getKey()) + " "
                    + Names.mapWord("map value", e.getValue()));
            if (batch.size() == MAP_BATCH) {
                client.set(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            client.set(batch);
        }
        client.set("commit map @" + version + " " + file);
    }

    /**
     * Retries {@code del server} of the {@code pending} dynamic servers for up to {@code timeout}; deleted ones leave
     * {@code pending} and {@code added}, configuration-file servers HAProxy refuses to delete move to
     * {@code foreignConfigured} (kept in maintenance).
     *
     * @return the server names HAProxy still refuses to delete
     */
    public static Set<String> removePending(RuntimeApiClient client, String backend, Set<String> pending,
                                            Map<String, Target> added, Set<String> foreignConfigured, Duration timeout,
                                            Duration pollInterval) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String name : new ArrayList<>(pending)) {
                String cmd = "del server " + backend + "/" + name;
                String answer = client.execute(cmd);
                if (answer.startsWith("Server deleted") || answer.startsWith("No such server")) {
                    pending.remove(name);
                    added.remove(name);
                    LOG.info("deleted HAProxy server {}/{}", backend, name);
                } else if (answer.startsWith("Only servers added at runtime")) {
                    // a server of the configuration file that nobody mapped: it stays in maintenance
                    pending.remove(name);
                    added.remove(name);
                    foreignConfigured.add(name);
                    LOG.info("HAProxy server {}/{} is in the configuration file and not mapped: kept in maintenance",
                            backend, name);
                } else {
                    LOG.debug("HAProxy refused '{}' for now: {}", cmd, answer.trim());
                }
            }
            if (pending.isEmpty() || System.nanoTime() - deadline >= 0) {
                break;
            }
            sleep(pollInterval);
        }
        if (!pending.isEmpty()) {
            LOG.warn("HAProxy still refuses to delete servers {} of backend {} (connections remain); they stay in "
                    + "maintenance with weight 0", pending, backend);
        }
        return Set.copyOf(pending);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RouterException("interrupted while waiting for HAProxy", e);
        }
    }
}
