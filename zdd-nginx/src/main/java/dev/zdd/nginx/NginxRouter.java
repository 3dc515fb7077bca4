package dev.zdd.nginx;

import dev.zdd.api.Arguments;
import dev.zdd.api.Endpoint;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.TrafficRouter;
import dev.zdd.nginx.internal.ConfigSafety;
import dev.zdd.nginx.internal.ConfigStructure;
import dev.zdd.nginx.internal.Confirmation;
import dev.zdd.nginx.internal.IncludeFile;
import dev.zdd.nginx.internal.IncludeRenderer;
import dev.zdd.nginx.internal.LocalIncludeStore;
import dev.zdd.nginx.internal.Restore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link TrafficRouter} over open-source nginx: it owns one include file (http context) that defines one upstream
 * and the variable {@code $zdd_NAME_upstream}, which the user's own configuration passes to
 * {@code proxy_pass http://$zdd_NAME_upstream;}. It never edits any other file. See docs/nginx.md for the complete
 * setup.
 *
 * <p>{@link #apply(Routing)} is safe: it renders the file, swaps it in atomically (rename), tests the real main
 * configuration with {@code nginx -t}, reloads, and confirms through a zdd-owned status server (rendered in the same
 * file) that the new worker generation answers and the old one no longer does, before returning. On any failure,
 * including a {@link NginxControl} that throws instead of answering, it restores the previous file and, whenever a
 * reload was attempted (even one that failed or timed out: the signal may have reached nginx), reloads back and
 * confirms the previous generation; the {@link RouterException} names the step ({@code validate}, {@code reload},
 * {@code confirm}), says what was undone and carries nginx's own message. When there was no file before and a reload
 * was attempted, the new (validated) file is kept, since nginx cannot reload without its include; {@link #current()}
 * then reports drift until an {@code apply} succeeds.
 *
 * <p>{@link #current()} reads the routing back from the machine-readable header of the file, checks the file's
 * checksum, and checks that nginx serves that file's generation. A hand edit is reported as a {@link DriftException}
 * and never silently overwritten (unless {@link Builder#overwriteDrift(boolean)}).
 *
 * <p>By default ({@link Validation#ON_RELOAD}) {@code apply} does not run {@code nginx -t} when there is a zdd file to
 * go back to: nginx's master checks the configuration when it reloads and keeps the old one if that fails, zdd confirms
 * the new generation, stops at an {@code [emerg]} in the error log, runs {@code nginx -t} itself when the new
 * generation is late, and restores the previous file on any failure. {@link Validation#ALWAYS} runs {@code nginx -t}
 * before every reload; {@link Validation#STRUCTURAL} only when more than weights changed. See {@link Validation}.
 *
 * <p>Weights are written as they are (1 to {@link Routing#MAX_WEIGHT}); a weight of 0, DRAINING and DISABLED become
 * {@code down} (nginx has no drain: requests already in flight finish, new ones go elsewhere).
 *
 * <p>Thread-safe: calls are serialised by an internal lock.
 */
public final class NginxRouter implements TrafficRouter {
    /** Default bound on the wait for the new configuration to serve: 10 seconds. */
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Default time for which only the new generation must answer before {@link #apply} returns: 150 ms (nginx's master
     * lets old workers accept for about 100 ms after starting new ones).
     */
    public static final Duration DEFAULT_CONFIRM_SETTLE = Duration.ofMillis(150);
    /** Default validation: {@link Validation#ON_RELOAD}. */
    public static final Validation DEFAULT_VALIDATION = Validation.ON_RELOAD;
    /**
     * When {@code nginx -t} was skipped and the new generation has not answered this long after the reload, zdd runs
     * {@code nginx -t} once to learn whether nginx refused the file: 250 ms (a reload normally answers within tens of
     * milliseconds).
     */
    public static final Duration DOUBT_AFTER = Duration.ofMillis(250);
    /** What this router can do: weights 1 to 10000, DRAINING (as {@code down}), stickiness, rules; no connection counts. */
    public static final RouterCapabilities CAPABILITIES = new RouterCapabilities(Routing.MAX_WEIGHT, true, true, true, false);

    private static final Logger LOG = LoggerFactory.getLogger(NginxRouter.class);

    private final String name;
    private final Path includeFile;
    private final IncludeStore store;
    private final StatusConnector statusConnector;
    private final Endpoint status;
    private final NginxControl control;
    private final Duration confirmTimeout;
    private final Duration confirmSettle;
    private final boolean overwriteDrift;
    private final Path errorLog;
    private final Validation validation;
    private final UpstreamOptions upstreamOptions;
    private final Confirmation confirmation;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * The last file this router wrote and saw nginx accept (validated or structurally equal to an accepted one,
     * reloaded, confirmed); null at first and after any failure (guarded by lock). Spares apply a parse, and is what
     * {@link Validation#STRUCTURAL} compares with.
     */
    private IncludeFile lastWritten;
    /** {@link ConfigStructure#of} of {@link #lastWritten}'s text (guarded by lock). */
    private String lastStructure;
    /** Whether this router's last apply that changed the file failed (guarded by lock). */
    private boolean lastFailed;

    private NginxRouter(Builder b) {
        this.name = b.name;
        this.store = b.store != null ? b.store : new LocalIncludeStore(b.includeFile);
        this.includeFile = store instanceof LocalIncludeStore l ? l.file() : null;
        this.statusConnector = b.statusConnector;
        this.status = b.status;
        this.control = b.control;
        this.confirmTimeout = b.confirmTimeout;
        this.confirmSettle = b.confirmSettle;
        this.overwriteDrift = b.overwriteDrift;
        this.errorLog = b.errorLog;
        this.validation = b.validation;
        this.upstreamOptions = b.upstreamOptions;
        this.confirmation = new Confirmation(statusConnector, status, statusPath(), confirmTimeout, confirmSettle,
                errorLog);
    }

    /**
     * When {@link #apply} runs {@code nginx -t}. Thread-safe (an enum).
     */
    public enum Validation {
        /**
         * The default. {@code nginx -t} is not run before the reload when the include holds a file zdd wrote to go back
         * to and this router's previous apply did not fail: the reload itself is the test. nginx's master parses and
         * checks the whole configuration on every reload and keeps the old configuration and workers when that fails;
         * zdd then does not see the new generation answer on its status server, stops at once when the error log
         * (if {@link Builder#errorLog(Path) set}) shows an {@code [emerg]} line after the reload, and otherwise runs
         * {@code nginx -t} itself once the new generation is {@link #DOUBT_AFTER late}, so that a refused file is
         * reported with nginx's own words within a fraction of a second, not after
         * {@link Builder#confirmTimeout(Duration)}. On any failure the previous file is restored and nginx reloaded
         * back, exactly as with {@link #ALWAYS}. {@code nginx -t} still runs first when there is nothing to go back to
         * (no file, or one zdd did not write) and on the next apply after a failure. A reload with
         * {@code nginx -s reload} (no pid file) parses the configuration before signalling and fails at the reload
         * step. The saving is one {@code nginx -t} per apply (a process start plus a full parse, about 35 ms); what is
         * lost is only that a refused file briefly sits in the include while the master refuses it (nginx serves the
         * old configuration throughout). See docs/nginx.md.
         */
        ON_RELOAD,
        /** Every apply that changes the file runs {@code nginx -t} before reloading. */
        ALWAYS,
        /**
         * {@code nginx -t} only when something it could reject has changed: it is skipped when this router instance
         * saw nginx accept the previous file (no failure since, the file and the served generation unchanged) and the
         * new file differs from it only in the {@code weight}, {@code down} and {@code backup} parameters of upstream
         * servers, in {@code split_clients} percentages (at most 100% in total) and in comments. The reload, the
         * confirmation (with the same late-generation {@code nginx -t} as {@link #ON_RELOAD}) and the undo stay as they
         * are. Exactly what it compares and trades: docs/nginx.md, "Validation modes".
         */
        STRUCTURAL
    }

    /** A builder; name, include file, status endpoint and control are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The upstream name. */
    public String name() {
        return name;
    }

    /** The include file zdd owns on this machine, or {@code null} when it is kept by an {@link IncludeStore} given to the builder. */
    public Path includeFile() {
        return includeFile;
    }

    /** The nginx variable the user's {@code proxy_pass} uses, e.g. {@code $zdd_app_upstream}. */
    public String variable() {
        return "$zdd_" + name + "_upstream";
    }

    /** Where the status server that confirms reloads listens. */
    public Endpoint status() {
        return status;
    }

    @Override
    public RouterCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Writes the include file for {@code initial} without testing or reloading, to bootstrap before nginx first starts
     * (nginx refuses to start while the main configuration includes a missing file). Does nothing when the file already
     * holds exactly this routing.
     *
     * @throws IllegalStateException when the file exists with other content (use {@link #apply(Routing)})
     * @throws RouterException       when it cannot be written
     */
    public void writeInitial(Routing initial) {
        IncludeFile next = render(initial);
        lock.lock();
        try {
            String existing = read();
            if (existing != null) {
                if (existing.equals(next.text())) {
                    return;
                }
                throw new IllegalStateException("nginx router '" + name + "': " + store
                        + " exists already; use apply() to change it");
            }
            write(next.text(), "write initial");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void apply(Routing routing) {
        IncludeFile next = render(routing);
        lock.lock();
        try {
            long t0 = System.nanoTime();
            String previousText = read();
            IncludeFile previous = null;
            if (previousText != null && lastWritten != null && previousText.equals(lastWritten.text())) {
                previous = lastWritten;
            } else if (previousText != null) {
                try {
                    previous = IncludeFile.parse(previousText);
                } catch (IllegalArgumentException e) {
                    if (!overwriteDrift) {
                        throw new DriftException(prefix() + "step 'read' found drift: " + store + " was changed outside"
                                + " zdd: " + e.getMessage() + ". Nothing was changed. Restore the file, or build the router"
                                + " with overwriteDrift(true) to replace the hand edit.");
                    }
                    LOG.warn("{}overwriting a hand-edited {}: {}", prefix(), store, e.getMessage());
                }
            }
            if (next.text().equals(previousText) && servedId().equals(next.id())) {
                LOG.debug("{}already serves {}", prefix(), routing);
                return;
            }
            boolean skipValidation = validation == Validation.ON_RELOAD && previousText != null && previous != null
                    && !lastFailed;
            if (validation == Validation.STRUCTURAL && lastStructure != null && previous == lastWritten) {
                String nextStructure = ConfigStructure.of(next.text());
                skipValidation = lastStructure.equals(nextStructure) && servedId().equals(lastWritten.id());
            }
            lastWritten = null; // from here until success, nothing counts as accepted
            lastStructure = null;
            lastFailed = true;
            write(next.text(), "write");
            long t1 = System.nanoTime();
            Attempt a = new Attempt();
            try {
                a.step = "validate";
                if (!skipValidation) {
                    NginxControl.Result test = control.test();
                    if (!test.ok()) {
                        throw undo(a, "nginx -t rejected the new configuration (exit " + test.exitCode() + ")",
                                ". nginx said: " + test.output(), previousText, previous, next, null);
                    }
                }
                a.t2 = System.nanoTime();
                a.step = "reload";
                a.logOffset = confirmation.errorLogSize();
                a.reloadAttempted = true;
                NginxControl.Result reload = control.reload();
                if (!reload.ok()) {
                    throw undo(a, "exit " + reload.exitCode() + hint(reload.output()), ". nginx said: " + reload.output(),
                            previousText, previous, next, null);
                }
                a.t3 = System.nanoTime();
                a.step = "confirm";
                String problem = confirmation.generation(next.id(), a.logOffset,
                        skipValidation ? new Confirmation.Doubt(DOUBT_AFTER, this::testWhenLate) : null);
                if (problem != null) {
                    throw undo(a, problem, "", previousText, previous, next, null);
                }
            } catch (RuntimeException e) {
                if (a.undone) {
                    throw e;
                }
                // a user's control (e.g. over ssh) threw instead of answering a Result: undo all the same
                throw undo(a, "the control threw " + e, "", previousText, previous, next, e);
            }
            long t2 = a.t2;
            long t3 = a.t3;
            long t4 = System.nanoTime();
            lastWritten = next;
            lastFailed = false;
            lastStructure = validation == Validation.STRUCTURAL ? ConfigStructure.of(next.text()) : null;
            LOG.debug("{}applied {} in {} ms (write {} ms, validate {} ms{}, reload {} ms, confirm {} ms)", prefix(),
                    routing, ms(t4 - t0), ms(t1 - t0), ms(t2 - t1), skipValidation ? " (skipped: " + (validation == Validation.ON_RELOAD ? "checked by the reload)" : "structure unchanged)") : "",
                    ms(t3 - t2), ms(t4 - t3));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Routing current() {
        lock.lock();
        try {
            String text = read();
            if (text == null) {
                throw new RouterException(prefix() + "step 'read' failed: " + store + " does not exist"
                        + " (write it with writeInitial() before nginx starts)");
            }
            IncludeFile file;
            try {
                file = IncludeFile.parse(text);
            } catch (IllegalArgumentException e) {
                throw new DriftException(prefix() + "step 'read' found drift: " + store + " was changed outside zdd: "
                        + e.getMessage());
            }
            String served = servedId();
            if (served.isEmpty()) {
                throw new RouterException(prefix() + "step 'read' failed: the status server http://"
                        + status.authority() + statusPath() + " does not answer: is nginx running, and does its main"
                        + " configuration include " + store + "?");
            }
            if (!served.equals(file.id())) {
                throw new DriftException(prefix() + "step 'read' found drift: nginx serves generation " + served
                        + " but " + store + " holds generation " + file.id() + " (a reload failed or is pending;"
                        + " apply() reconciles)");
            }
            return file.routing();
        } finally {
            lock.unlock();
        }
    }

    private IncludeFile render(Routing routing) {
        if (routing == null) {
            throw new IllegalArgumentException("routing must not be null");
        }
        CAPABILITIES.check("nginx router '" + name + "'", routing);
        return IncludeFile.render(name, routing, status, upstreamOptions);
    }

    /** Runs {@code nginx -t} when the new generation is late; null when it passes, else the problem. */
    private String testWhenLate() {
        NginxControl.Result test = control.test();
        return test.ok() ? null : "nginx did not serve the new generation within " + DOUBT_AFTER.toMillis() + " ms and"
                + " nginx -t (run then) rejects the configuration (exit " + test.exitCode() + "): " + test.output();
    }

    /** Where {@link #apply} got to; the step names the failure. */
    private static final class Attempt {
        String step = "write";
        boolean reloadAttempted;
        long logOffset = -1;
        long t2;
        long t3;
        boolean undone;
    }

    /**
     * Puts nginx and the file back into a consistent state after a failed step and returns the error to throw.
     *
     * <ul>
     *   <li>No reload attempted: the previous file is restored (or the new one removed when there was none); nginx was
     *       not signalled and serves as before.</li>
     *   <li>Reload attempted (it may have reached the master even when it failed or timed out): the previous file is
     *       restored and nginx reloaded back to it, confirmed through the status server (a file that zdd did not write
     *       cannot be confirmed: then only that the rejected generation no longer answers). The one exception: when
     *       nginx's status server does not answer after a failed reload, nginx is taken to be stopped and is not
     *       signalled again.</li>
     *   <li>Reload attempted and there was no file before: the new (validated) file is kept, because nginx cannot test
     *       or reload a main configuration whose include is missing; {@link #current()} reports drift until an
     *       {@link #apply} succeeds.</li>
     * </ul>
     */
    private RouterException undo(Attempt a, String problem, String tail, String previousText, IncludeFile previous,
                        IncludeFile next, Throwable cause) {
        String restored;
        String back;
        if (a.reloadAttempted && previousText == null) {
            restored = "the new file was kept: there was none before, and nginx cannot test or reload its main"
                    + " configuration without it (current() reports drift until an apply() succeeds)";
            String served = servedId();
            back = "nginx serves " + (served.isEmpty() ? "nothing on its status server" : "generation " + served);
        } else {
            restored = Restore.file(store, previousText);
            if (!a.reloadAttempted) {
                back = "nginx was not reloaded, so it serves as before";
            } else if (restored.startsWith("WARNING")) {
                back = "nginx was not reloaded back (the file holds the new configuration)";
            } else {
                back = Restore.reloadBack(control, confirmation, "reload".equals(a.step), previous, next,
                        "http://" + status.authority() + statusPath());
            }
        }
        String nginxLog = a.reloadAttempted ? confirmation.errorLogSince(a.logOffset) : "";
        a.undone = true;
        return new RouterException(prefix() + "step '" + a.step + "' failed: " + problem + "; " + restored
                + "; " + back + tail + (nginxLog.isEmpty() ? "" : ". nginx's error log: " + nginxLog), cause);
    }

    private String servedId() {
        return confirmation.served();
    }

    private String statusPath() {
        return IncludeRenderer.STATUS_PATH_PREFIX + name;
    }

    private String read() {
        try {
            return store.read();
        } catch (IOException e) {
            throw new RouterException(prefix() + "step 'read' failed: cannot read " + store + ": " + e, e);
        }
    }

    /**
     * Replaces the include through the store (atomically: nginx and readers see the old or the new file, never a
     * half-written one).
     */
    private void write(String text, String step) {
        try {
            store.write(text);
        } catch (IOException e) {
            throw new RouterException(prefix() + "step '" + step + "' failed: cannot write " + store + ": " + e, e);
        }
    }

    private static String hint(String output) {
        if (output.contains("invalid PID") || output.contains(".pid\" failed") || output.contains("No such process")) {
            return " (nginx does not seem to be running: no master process for the pid file)";
        }
        return "";
    }

    private String prefix() {
        return "nginx router '" + name + "': ";
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    @Override
    public String toString() {
        return "NginxRouter[" + name + ", " + store + ", status " + status + ", " + control + "]";
    }

    /** Builds an {@link NginxRouter}. Not thread-safe. */
    public static final class Builder {
        private String name;
        private Path includeFile;
        private IncludeStore store;
        private StatusConnector statusConnector = StatusConnector.DIRECT;
        private Endpoint status;
        private NginxControl control;
        private Duration confirmTimeout = DEFAULT_CONFIRM_TIMEOUT;
        private Duration confirmSettle = DEFAULT_CONFIRM_SETTLE;
        private boolean overwriteDrift;
        private Path errorLog;
        private Validation validation = DEFAULT_VALIDATION;
        private UpstreamOptions upstreamOptions = UpstreamOptions.DEFAULTS;

        private Builder() {
        }

        /**
         * Options rendered into every upstream zdd writes (zone, balancing method, keepalive, per-server
         * parameters). Default {@link UpstreamOptions#DEFAULTS} (nginx's defaults). {@code keepalive} also needs
         * {@code proxy_http_version 1.1;} and {@code proxy_set_header Connection "";} in your location.
         */
        public Builder upstreamOptions(UpstreamOptions value) {
            upstreamOptions = Arguments.notNull("upstreamOptions", value);
            return this;
        }

        /**
         * Required. The upstream name: a letter, then letters, digits or '_' (at most 32). The include defines
         * {@code upstream zdd_NAME} and the variable {@code $zdd_NAME_upstream}.
         */
        public Builder name(String value) {
            name = ConfigSafety.check("name", value, ConfigSafety.UPSTREAM_NAME,
                    "a letter, then letters, digits or '_', at most 32 characters");
            return this;
        }

        /**
         * Where the include file is kept, instead of {@link #includeFile(Path)}: for example a file on the nginx host
         * reached over ssh (zdd-ssh's {@code SshIncludeStore}). One of the two is required.
         */
        public Builder includeStore(IncludeStore value) {
            store = Arguments.notNull("includeStore", value);
            return this;
        }

        /**
         * How this process connects to the status server. Default {@link StatusConnector#DIRECT} (TCP from here);
         * zdd-ssh's {@code SshStatusConnector} goes through the SSH connection to the nginx host.
         */
        public Builder statusConnector(StatusConnector value) {
            statusConnector = Arguments.notNull("statusConnector", value);
            return this;
        }

        /**
         * The include file zdd owns on this machine (included by the main configuration inside {@code http { }}).
         * This or {@link #includeStore(IncludeStore)} is required.
         */
        public Builder includeFile(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("includeFile must not be null");
            }
            String s = value.toString();
            if (s.contains("\n") || s.contains("\r")) {
                throw new IllegalArgumentException("includeFile '" + Arguments.printable(s) + "' contains a newline");
            }
            includeFile = value;
            return this;
        }

        /**
         * Required. Where the status server rendered in the include file listens (one address per router, for example
         * {@code 127.0.0.1:18081}); zdd polls it to confirm a reload, so it must be reachable from this process.
         */
        public Builder status(Endpoint value) {
            if (value == null) {
                throw new IllegalArgumentException("status must not be null");
            }
            ConfigSafety.check("status.host", value.host(), ConfigSafety.HOST, "a hostname or an IP address");
            status = value;
            return this;
        }

        /** Required. How to run {@code nginx -t} and {@code nginx -s reload}, e.g. a {@link LocalNginxControl}. */
        public Builder control(NginxControl value) {
            control = Arguments.notNull("control", value);
            return this;
        }

        /** Bound on the wait for the new configuration to serve. Default {@link #DEFAULT_CONFIRM_TIMEOUT}; positive. */
        public Builder confirmTimeout(Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException("confirmTimeout must be positive, was " + value);
            }
            confirmTimeout = value;
            return this;
        }

        /**
         * How long only the new generation must answer before apply returns. Default
         * {@link #DEFAULT_CONFIRM_SETTLE}; zero returns as soon as the new generation answers once.
         */
        public Builder confirmSettle(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("confirmSettle must not be negative, was " + value);
            }
            confirmSettle = value;
            return this;
        }

        /** Replace a hand-edited include file instead of refusing with a {@link DriftException}. Default false. */
        public Builder overwriteDrift(boolean value) {
            overwriteDrift = value;
            return this;
        }

        /** nginx's error log, optional: when a reload cannot be confirmed, its new lines go into the error message. */
        public Builder errorLog(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("errorLog must not be null (leave it unset for none)");
            }
            errorLog = value;
            return this;
        }

        /**
         * When to run {@code nginx -t}: {@link Validation#ON_RELOAD} (default, {@link #DEFAULT_VALIDATION}: the reload
         * is the test), {@link Validation#ALWAYS} (before every reload) or {@link Validation#STRUCTURAL} (skip it for
         * weight-only changes); read what each trades there.
         */
        public Builder validation(Validation value) {
            if (value == null) {
                throw new IllegalArgumentException("validation must not be null (ON_RELOAD, ALWAYS or STRUCTURAL)");
            }
            validation = value;
            return this;
        }

        /** Builds the router; throws {@link IllegalArgumentException} naming a missing required field. */
        public NginxRouter build() {
            if (name == null) {
                throw new IllegalArgumentException("name is required");
            }
            if (includeFile == null && store == null) {
                throw new IllegalArgumentException("includeFile is required");
            }
            if (includeFile != null && store != null) {
                throw new IllegalArgumentException("give includeFile or includeStore, not both");
            }
            if (status == null) {
                throw new IllegalArgumentException("status is required");
            }
            if (control == null) {
                throw new IllegalArgumentException("control is required");
            }
            return new NginxRouter(this);
        }
    }
}
