package dev.zdd.core.launch;

import dev.zdd.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settles the launches a {@link ProcessLauncher} recorded as pending before spawning their process: finds the process
 * (the pid its shell wrote, confirmed by the launch token in its environment, or else by a scan of {@code /proc} for the
 * token; where environments cannot be read, by a start time between the pending record and the pid file), so that a
 * launcher killed between spawning a process and recording it still leaves an instance any later process can find and
 * stop. A pending launch whose launching process is dead is turned into an instance record when its process lives, and
 * removed when it never started or has exited. One whose launching process still lives (a launch in progress) is only
 * listed, never changed. A reused pid (another start time, or without the token) is never taken for the instance.
 * Package-private; thread-safe (stateless besides the files).
 */
final class PendingLaunches {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessLauncher.class);
    /** Tolerance of the start-time window used where environments cannot be read. */
    private static final long CLOCK_SLACK_MILLIS = 1000;

    private final Inventory inventory;

    PendingLaunches(Inventory inventory) {
        this.inventory = inventory;
    }

    /**
     * Settles every pending launch of {@code service}; returns the instances found alive by their pending records whose
     * launching process still runs (those of dead launchers are now instance records, listed by {@link Inventory#list}).
     */
    List<Inventory.Entry> settle(String service) {
        List<Inventory.Entry> inProgress = new ArrayList<>();
        for (Inventory.Pending p : inventory.listPending(service)) {
            String id = p.target().id();
            boolean ownerAlive = ProcessControl.live(p.ownerPid(), p.ownerStarted()).isPresent();
            Optional<Inventory.Entry> recorded = readRecord(service, id).filter(e -> e.token().equals(p.token()));
            if (recorded.isPresent()) {
                if (!ownerAlive) {
                    inventory.deletePending(service, id); // recorded, then killed before removing the pending record
                }
                continue;
            }
            Optional<ProcessHandle> process = find(p, !ownerAlive);
            if (process.isEmpty()) {
                if (!ownerAlive) {
                    LOG.info("launcher state {}: the launch of {} by pid {} (dead) started no process that still runs; "
                            + "dropping its pending record", service, id, p.ownerPid());
                    inventory.deletePending(service, id);
                }
                continue;
            }
            Inventory.Entry entry = entry(p, process.get());
            if (ownerAlive) {
                inProgress.add(entry);
            } else {
                LOG.info("launcher state {}: found {} (pid {}), started by pid {} which died before recording it; "
                        + "recording it now", service, id, entry.pid(), p.ownerPid());
                inventory.write(entry);
                inventory.deletePending(service, id);
            }
        }
        return inProgress;
    }

    /** The records of target {@code id} in any service, pending launches of that id settled first. */
    List<Inventory.Entry> records(String id) {
        List<Inventory.Entry> out = new ArrayList<>();
        for (String service : inventory.services()) {
            if (Files.exists(inventory.pendingFile(service, id))) {
                settle(service).stream().filter(e -> e.target().id().equals(id)).forEach(out::add);
            }
        }
        out.addAll(inventory.find(id));
        return out;
    }

    private Optional<Inventory.Entry> readRecord(String service, String id) {
        return inventory.read(inventory.file(service, id));
    }

    /** The live process of a pending launch, or empty; scans {@code /proc} by token only when {@code scan}. */
    private Optional<ProcessHandle> find(Inventory.Pending p, boolean scan) {
        String service = p.service();
        String id = p.target().id();
        Optional<Long> pid = inventory.readPid(service, id);
        if (pid.isPresent()) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
            if (h.isPresent()) {
                Optional<Boolean> token = ProcessControl.carriesToken(pid.get(), p.token());
                if (token.isPresent() ? token.get() : startedInWindow(h.get(), p)) {
                    return h;
                }
                LOG.info("launcher state {}: pid {} of {}'s pid file now belongs to another process; left alone",
                        service, pid.get(), id);
            }
        }
        return scan ? ProcessControl.findByToken(p.token()) : Optional.empty();
    }

    /** Without environments: the process started after the pending record and before its pid file was written. */
    private boolean startedInWindow(ProcessHandle h, Inventory.Pending p) {
        long started = ProcessControl.startMillis(h);
        try {
            long written = Files.getLastModifiedTime(inventory.pidFile(p.service(), p.target().id())).toMillis();
            return started >= p.createdMillis() - CLOCK_SLACK_MILLIS && started <= written + CLOCK_SLACK_MILLIS;
        } catch (IOException e) {
            return false;
        }
    }

    private static Inventory.Entry entry(Inventory.Pending p, ProcessHandle h) {
        long started = ProcessControl.startMillis(h);
        Map<String, String> attrs = new LinkedHashMap<>(p.target().attributes());
        attrs.put(ProcessLauncher.PID_ATTRIBUTE, String.valueOf(h.pid()));
        if (started >= 0) {
            attrs.put(ProcessLauncher.STARTED_ATTRIBUTE, String.valueOf(started));
        }
        Target t = new Target(p.target().id(), p.target().version(), p.target().endpoint(), attrs);
        return new Inventory.Entry(p.service(), t, h.pid(), started, p.log(), p.token());
    }
}
