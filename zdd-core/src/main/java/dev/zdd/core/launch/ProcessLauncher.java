package dev.zdd.core.launch;

import dev.zdd.api.Endpoint;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;
import dev.zdd.core.internal.io.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Starts a local process per target on an idle port: the {@code java -jar app-1.2.jar --server.port=8081} pattern.
 *
 * <pre>{@code
 * ProcessLauncher launcher = ProcessLauncher.builder()
 *         .command("java", "-jar", "app-{version}.jar", "--server.port={port}")
 *         .portRange(8081, 8089)
 *         .workingDirectory(Path.of("/opt/app"))
 *         .environment("DB_PASSWORD", secret)
 *         .logDirectory(Path.of("/var/log/app"))
 *         .build();
 * }</pre>
 *
 * <p>{@link #launch(LaunchRequest)} picks the first port of the range (starting after the last one handed out) that no
 * process of this launcher holds and that can be bound on the launch host right now, replaces the placeholders
 * {@code {port}}, {@code {version}}, {@code {id}}, {@code {service}} and {@code {host}} in each argument (the values
 * are validated names, so they cannot inject anything; other braces are left alone), and starts the argument list as
 * the positional parameters of a constant {@code /bin/sh} text that writes the pid file and {@code exec}s it (below):
 * no argument is ever part of shell text. Standard output and error go to {@code <logDirectory>/<targetId>.log} (truncated on
 * each launch). If the process exits within the startup check, the launch fails with its exit code and the path of its
 * log (quoting the log's last lines only when {@link Builder#logTailLines(int)} asks for it). The returned target carries the attributes {@value #PID_ATTRIBUTE} and {@value #STARTED_ATTRIBUTE}
 * (the process's start time), so that another launcher instance (after a restart of the controlling JVM) can still
 * retire it, and only it: a reused pid with another start time is left alone. Environment values are secrets: they are
 * never logged or put into messages; neither are arguments (only the program's name is logged).
 *
 * <p>Inventory (every deploy is a new process): every instance is recorded in
 * {@code <stateDirectory>/<service>/<targetId>.instance} (a properties file with id, service, version, attributes, pid,
 * process start time, host, port, log file and launch token, written to a temporary file, forced to disk and renamed
 * into place; {@link Builder#stateDirectory(Path)}, default {@value #DEFAULT_STATE_DIRECTORY_NAME} under
 * {@code java.io.tmpdir}). There is no moment at which a killed launcher leaves an instance nobody can find: before the
 * process is spawned the launch is recorded durably as <em>pending</em> ({@code <targetId>.pending}: the target, a
 * unique launch token, the launching process's pid and start time, the time), and the process is started as
 * {@code /bin/sh -c 'echo $$ > "$1" || exit 125; shift; exec "$@"' zdd-launch <targetId.pid> <program> <args...>}
 * (constant shell text; the pid file, program and arguments are positional parameters, never interpolated) with the
 * token in its environment ({@code ZDD_LAUNCH_TOKEN}), so the process writes its own pid before the program runs and
 * {@code exec} keeps that pid. A launcher built later, in any process, with the same state directory finds the live
 * instances of a service with {@link #discover(String)}, which first settles the pending launches of launchers that
 * died: the process named by the pid file (or, if the shell had not written it yet, found by its token in
 * {@code /proc/<pid>/environ}) is recorded and listed when its environment carries the launch's token (a reused pid
 * never does); a pending launch with no such process (killed before the spawn, or the process has exited) is removed.
 * The pending launches of a launcher that still runs are listed but left to it. A record whose process has exited (or
 * whose pid now belongs to a process with another start time) is stale: {@code discover} drops it, and {@code retire}
 * treats the target as verifiably gone. The record is removed when its instance is retired or its launch fails.
 * {@link #recordsBeforeStarting()} is therefore {@code true}: the engine takes a launch in doubt that {@code discover}
 * does not list as never started. Needs {@code /bin/sh}; on systems without {@code /proc} the pid file is checked by
 * the process's start time instead of its environment.
 *
 * <p>{@link #retire(Target, Duration)} identifies the process by the record (or, without one, by the target's
 * {@value #PID_ATTRIBUTE} and {@value #STARTED_ATTRIBUTE} attributes: a pid reused by another process is never
 * signalled), sends SIGTERM and waits up to the grace period. If the process exits in time, its descendants still
 * alive get SIGTERM too and the rest of the same grace period, then SIGKILL. If it does not, the process and its
 * descendants get SIGKILL, waiting at most {@link Builder#killWait(Duration)}. A target whose recorded process has
 * exited is verifiably gone: retiring it is not an error. A target that can be neither found in the inventory nor
 * identified by those attributes, or whose process survives SIGKILL, is a {@link LaunchException}: the launcher never
 * reports as retired what it could not identify and stop.
 *
 * <p>A launch that throws leaves nothing running: a process that started but failed its startup check, could not be
 * recorded, or whose launch was interrupted is stopped (and its record removed) before the exception is thrown.
 *
 * <p>Reserving a port by binding it and closing the socket leaves a short window in which another program could take
 * the port; the process then fails to bind, which its health probe (or the startup check) reports.
 *
 * <p>Thread-safe: several launches may run at once. Build with {@link #builder()}.
 */
public final class ProcessLauncher implements TargetLauncher, dev.zdd.api.TargetInventory {
    /** Attribute carrying the process id. */
    public static final String PID_ATTRIBUTE = "pid";
    /** Attribute carrying the process's start time (epoch milliseconds), to tell it apart from a reused pid. */
    public static final String STARTED_ATTRIBUTE = "started";
    /** Default lowest port: {@value}. */
    public static final int DEFAULT_PORT_MIN = 8081;
    /** Default highest port: {@value}. */
    public static final int DEFAULT_PORT_MAX = 8099;
    /** Default host the targets answer on and ports are checked on: {@value}. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default time during which an early exit fails the launch: 500 ms. */
    public static final Duration DEFAULT_STARTUP_CHECK = Duration.ofMillis(500);
    /** Default wait after SIGKILL before giving up: 5 s. */
    public static final Duration DEFAULT_KILL_WAIT = Duration.ofSeconds(5);
    /**
     * Default number of the app's log lines quoted in launch errors: {@value} (off; the message names the log file). The
     * app's output may contain secrets, so quoting it is opt-in ({@link Builder#logTailLines(int)}).
     */
    public static final int DEFAULT_LOG_TAIL_LINES = 0;
    /** Name of the default state directory under {@code java.io.tmpdir}: {@value}. */
    public static final String DEFAULT_STATE_DIRECTORY_NAME = "zdd-launcher";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessLauncher.class);
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private final List<String> command;
    private final int portMin;
    private final int portMax;
    private final String host;
    private final Path workingDirectory;
    private final Map<String, String> environment;
    private final boolean inheritEnvironment;
    private final Path logDirectory;
    private final Duration startupCheck;
    private final Duration killWait;
    private final int logTailLines;
    private final Inventory inventory;
    private final PendingLaunches pending;
    private final ProcessControl stopper;
    private final java.util.function.Consumer<Stage> hook;
    private final ConcurrentHashMap<String, Running> running = new ConcurrentHashMap<>();
    private final Object portLock = new Object();
    private final PortPicker ports;

    private ProcessLauncher(Builder b) {
        this.command = List.copyOf(b.command);
        this.portMin = b.portMin;
        this.portMax = b.portMax;
        this.host = b.host;
        this.workingDirectory = b.workingDirectory;
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
        this.inheritEnvironment = b.inheritEnvironment;
        this.logDirectory = b.logDirectory;
        this.startupCheck = b.startupCheck;
        this.killWait = b.killWait;
        this.logTailLines = b.logTailLines;
        this.inventory = new Inventory(b.stateDirectory);
        this.pending = new PendingLaunches(inventory);
        this.stopper = new ProcessControl(b.killWait);
        this.hook = b.hook;
        this.ports = new PortPicker(b.portMin, b.portMax, b.host);
    }

    /** A builder with every default; {@link Builder#command(List)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Target launch(LaunchRequest request) {
        if (request == null) {
            throw new IllegalArgumentException("launch request must not be null");
        }
        String id = request.targetId();
        String service = request.service();
        Running old = running.get(id);
        if (old != null && old.process.isAlive()) {
            throw new LaunchException("target " + id + " is already running as pid " + old.process.pid()
                    + " on port " + old.port + "; retire it first");
        }
        pending.settle(service);
        for (Inventory.Entry e : inventory.list(service)) {
            if (e.target().id().equals(id) && ProcessControl.live(e.pid(), e.started()).isPresent()) {
                throw new LaunchException("target " + id + " of service " + service + " is already running as pid "
                        + e.pid() + " on port " + e.target().endpoint().port() + " (recorded in "
                        + inventory.file(service, id) + " by an earlier launch); retire it first");
            }
        }
        Path log = logDirectory.resolve(id + ".log");
        try {
            Files.createDirectories(logDirectory);
        } catch (IOException e) {
            throw new LaunchException("target " + id + ": cannot create log directory " + logDirectory + ": " + e.getMessage(), e);
        }
        String token = java.util.UUID.randomUUID().toString();
        Process process;
        int port;
        synchronized (portLock) {
            Set<Integer> held = new HashSet<>();
            running.forEach((k, r) -> {
                if (r.process.isAlive()) {
                    held.add(r.port);
                }
            });
            port = ports.reserve(id, held);
            List<String> args = new ArrayList<>(command.size());
            for (String a : command) {
                args.add(a.replace("{port}", String.valueOf(port)).replace("{version}", request.version())
                        .replace("{id}", id).replace("{service}", service).replace("{host}", host));
            }
            args.set(0, Spawn.program(id, args.get(0), workingDirectory));
            // recorded durably BEFORE the process exists: a launcher killed right after the spawn leaves a findable trace
            long[] me = ProcessControl.self();
            inventory.deletePending(service, id);
            inventory.writePending(new Inventory.Pending(service, new Target(id, request.version(),
                    new Endpoint(host, port), request.attributes()), log, token, me[0], me[1], System.currentTimeMillis()));
            hook.accept(Stage.PENDING_RECORDED);
            ProcessBuilder pb = new ProcessBuilder(Spawn.command(inventory.pidFile(service, id), args))
                    .directory(workingDirectory.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (!inheritEnvironment) {
                pb.environment().clear();
            }
            pb.environment().putAll(environment);
            pb.environment().put(ProcessControl.TOKEN_VARIABLE, token);
            try {
                process = pb.start();
            } catch (IOException e) {
                inventory.deletePending(service, id);
                throw new LaunchException("target " + id + ": cannot start " + args.get(0) + " in " + workingDirectory + ": "
                        + e.getMessage(), e);
            }
            running.put(id, new Running(process, port, log, service));
        }
        hook.accept(Stage.SPAWNED);
        Map<String, String> attrs = new LinkedHashMap<>(request.attributes());
        attrs.put(PID_ATTRIBUTE, String.valueOf(process.pid()));
        long started = ProcessControl.startMillis(process.toHandle());
        if (started >= 0) {
            attrs.put(STARTED_ATTRIBUTE, String.valueOf(started));
        }
        Target target = new Target(id, request.version(), new Endpoint(host, port), attrs);
        try {
            inventory.write(new Inventory.Entry(service, target, process.pid(), started, log, token));
        } catch (RuntimeException e) {
            stopper.stop(id, process.toHandle(), Duration.ZERO);
            running.remove(id);
            inventory.deletePending(service, id);
            throw new LaunchException("target " + id + ": " + e.getMessage() + "; the process (pid " + process.pid()
                    + ") was stopped", e);
        }
        forgetPending(service, id, false);
        LOG.info("launched target {} (version {}) as pid {} on {}:{}: {}; log {}", id, request.version(), process.pid(),
                host, port, command.get(0), log);
        try {
            if (process.waitFor(startupCheck.toMillis(), TimeUnit.MILLISECONDS)) {
                running.remove(id);
                ProcessControl.killLeft(process.descendants().toList());
                inventory.delete(service, id);
                forgetPending(service, id, true);
                throw new LaunchException("target " + id + " (version " + request.version() + ", pid " + process.pid()
                        + ", port " + port + "): " + command.get(0) + " exited with code " + process.exitValue()
                        + Spawn.explain(process.exitValue()) + " within startup check of " + Texts.millis(startupCheck)
                        + "; see its log " + log + (logTailLines == 0 ? "" : ", last lines:\n" + LaunchLogs.tail(log, logTailLines)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopper.stop(id, process.toHandle(), Duration.ZERO);
            running.remove(id);
            inventory.delete(service, id);
            forgetPending(service, id, true);
            throw new LaunchException("target " + id + ": interrupted during the startup check; the process was stopped", e);
        }
        forgetPending(service, id, true);
        return target;
    }

    /**
     * Removes the pending record once the instance record is written ({@code withPidFile}: the pid file too, once the
     * shell has surely written it). A failure only leaves files that a later {@link PendingLaunches#settle} removes.
     */
    private void forgetPending(String service, String id, boolean withPidFile) {
        try {
            if (withPidFile) {
                inventory.deletePending(service, id);
            } else {
                Files.deleteIfExists(inventory.pendingFile(service, id));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("target {}: cannot remove its pending launch record: {} (a later discover removes it)", id, e.getMessage());
        }
    }

    /**
     * The live instances of {@code service} recorded in this launcher's state directory, by any launcher (in any
     * process) that used the same directory, with the attributes they were launched with; records whose process has
     * exited are removed. Launches recorded as pending by a launcher that died before recording their process are
     * settled first (the process found by its pid file and launch token is recorded and listed; a pending launch whose
     * process never started or has exited is removed). Use it after a restart to find what an earlier process started
     * (for example an instance whose launch was interrupted) and retire what no routing table lists.
     *
     * @throws LaunchException when the state directory cannot be read
     */
    @Override
    public List<Target> discover(String service) {
        dev.zdd.api.Arguments.notNull("service", service);
        new LaunchRequest(service, "x", "x", Map.of()); // validates the service name the way launches do
        List<Target> out = new ArrayList<>();
        for (Inventory.Entry e : pending.settle(service)) {
            out.add(e.target());
        }
        for (Inventory.Entry e : inventory.list(service)) {
            if (ProcessControl.live(e.pid(), e.started()).isPresent()) {
                out.add(e.target());
            } else {
                LOG.info("discover {}: instance {} (pid {}) has exited; dropping its record", service, e.target().id(), e.pid());
                inventory.delete(service, e.target().id());
            }
        }
        out.sort(java.util.Comparator.comparing(Target::id));
        return List.copyOf(out);
    }

    /**
     * {@code true}: every launch is recorded (as pending) before its process is spawned, so {@link #discover} lists every
     * instance whose launch got as far as starting a process, whenever the launching process died.
     */
    @Override
    public boolean recordsBeforeStarting() {
        return true;
    }

    /** The state directory holding this launcher's instance records. */
    public Path stateDirectory() {
        return inventory.directory();
    }

    @Override
    public void retire(Target target, Duration grace) {
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be null or negative, was " + grace);
        }
        String id = target.id();
        Long pidAttr = ProcessControl.parseLong(target.attribute(PID_ATTRIBUTE));
        Long startedAttr = ProcessControl.parseLong(target.attribute(STARTED_ATTRIBUTE));
        Running r = running.get(id);
        if (r != null && (pidAttr == null || pidAttr == r.process.pid())) {
            try {
                stopper.stop(id, r.process.toHandle(), grace);
            } finally {
                if (!r.process.toHandle().isAlive()) {
                    // exited; wait (bounded) until the JDK has reaped it, so that its port counts as free again
                    try {
                        r.process.waitFor(killWait.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.remove(id, r);
                    inventory.delete(r.service, id);
                }
            }
            return;
        }
        Inventory.Entry record = null;
        for (Inventory.Entry e : pending.records(id)) {
            if ((pidAttr == null || pidAttr == e.pid()) && (startedAttr == null || startedAttr == e.started())) {
                record = e;
                break;
            }
        }
        long pid;
        long started;
        if (record != null) {
            pid = record.pid();
            started = record.started();
        } else if (pidAttr != null && startedAttr != null) {
            pid = pidAttr;
            started = startedAttr;
        } else {
            throw new LaunchException("retire " + id + ": cannot identify its process: no record of it in "
                    + inventory.directory() + " and the target carries no " + PID_ATTRIBUTE + "/" + STARTED_ATTRIBUTE
                    + " attributes (" + target.attributes().keySet() + "); nothing was stopped: find it and stop it");
        }
        Optional<ProcessHandle> h = ProcessControl.live(pid, started);
        if (h.isEmpty()) {
            Optional<ProcessHandle> other = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (other.isPresent() && started < 0) {
                throw new LaunchException("retire " + id + ": pid " + pid + " is alive but its start time was never "
                        + "recorded, so it cannot be told apart from a reused pid; nothing was stopped");
            }
            LOG.info("retire {}: its process (pid {}, started {}) has exited{}; nothing left to stop", id, pid, started,
                    other.isPresent() ? " (the pid now belongs to another process, left alone)" : "");
            if (record != null) {
                inventory.delete(record.service(), id);
            }
            return;
        }
        stopper.stop(id, h.get(), grace);
        if (record != null) {
            inventory.delete(record.service(), id);
        }
    }

    /** The log file of a target launched by this launcher (it stays after the process exits). */
    public Path logFile(String targetId) {
        return logDirectory.resolve(targetId + ".log");
    }

    @Override
    public String toString() {
        return "ProcessLauncher[" + command.get(0) + " (" + (command.size() - 1) + " args), ports " + portMin + "-" + portMax
                + ", env " + environment.keySet() + " (values hidden), running " + running.keySet() + "]";
    }

    /** Points of a launch a test can stop at (package-private; see {@code Builder.hook}). */
    enum Stage {
        /** The pending record is on disk; nothing is spawned yet. */
        PENDING_RECORDED,
        /** The process is spawned; its instance record is not written yet. */
        SPAWNED
    }

    private static final class Running {
        final Process process;
        final int port;
        final Path log;
        final String service;

        Running(Process process, int port, Path log, String service) {
            this.process = process;
            this.port = port;
            this.log = log;
            this.service = service;
        }
    }

    /** Builds a {@link ProcessLauncher}. Every setter validates and names the bad value. Not thread-safe. */
    public static final class Builder {
        private List<String> command;
        private int portMin = DEFAULT_PORT_MIN;
        private int portMax = DEFAULT_PORT_MAX;
        private String host = DEFAULT_HOST;
        private Path workingDirectory = Path.of("").toAbsolutePath();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private boolean inheritEnvironment = true;
        private Path logDirectory = Path.of(System.getProperty("java.io.tmpdir"), "zdd-logs");
        private Duration startupCheck = DEFAULT_STARTUP_CHECK;
        private Duration killWait = DEFAULT_KILL_WAIT;
        private int logTailLines = DEFAULT_LOG_TAIL_LINES;
        private Path stateDirectory = Path.of(System.getProperty("java.io.tmpdir"), DEFAULT_STATE_DIRECTORY_NAME);
        private java.util.function.Consumer<Stage> hook = stage -> { };

        private Builder() {
        }

        /** Tests only: called at each {@link Stage} of a launch (to stop a launcher at the spawn-to-record gap). */
        Builder hook(java.util.function.Consumer<Stage> value) {
            hook = java.util.Objects.requireNonNull(value, "hook");
            return this;
        }

        /**
         * Directory of the instance records ({@code <dir>/<service>/<targetId>.instance}, created when missing); every
         * launcher (in every deployer process) of a service must use the same one. Default
         * {@code <java.io.tmpdir>/}{@value #DEFAULT_STATE_DIRECTORY_NAME}; use a persistent directory in production
         * (a temporary directory may be cleaned at boot, when the processes are gone anyway).
         */
        public Builder stateDirectory(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("processLauncher.stateDirectory must not be null");
            }
            stateDirectory = value.toAbsolutePath();
            return this;
        }

        /**
         * The program and its arguments, with placeholders {@code {port}}, {@code {version}}, {@code {id}},
         * {@code {service}}, {@code {host}}. Required; the program must be non-empty; no argument may contain a NUL or
         * a line break.
         */
        public Builder command(List<String> value) {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("processLauncher.command must not be null or empty");
            }
            for (int i = 0; i < value.size(); i++) {
                String a = value.get(i);
                if (a == null) {
                    throw new IllegalArgumentException("processLauncher.command[" + i + "] must not be null");
                }
                if (a.indexOf('\0') >= 0 || a.indexOf('\n') >= 0 || a.indexOf('\r') >= 0) {
                    // the argument may hold a secret: name only its index and the rule
                    throw new IllegalArgumentException("processLauncher.command[" + i
                            + "] is invalid: contains a NUL or line break (value hidden)");
                }
            }
            if (value.get(0).isBlank()) {
                throw new IllegalArgumentException("processLauncher.command[0] (the program) must not be blank");
            }
            command = List.copyOf(value);
            return this;
        }

        /** Varargs form of {@link #command(List)}. */
        public Builder command(String... value) {
            if (value == null) {
                throw new IllegalArgumentException("processLauncher.command must not be null");
            }
            return command(java.util.Arrays.asList(value));
        }

        /** Ports to choose from, inclusive, 1 to 65535. Default {@value #DEFAULT_PORT_MIN}-{@value #DEFAULT_PORT_MAX}. */
        public Builder portRange(int min, int max) {
            if (min < 1 || max > 65535 || min > max) {
                throw new IllegalArgumentException("processLauncher.portRange " + min + "-" + max
                        + " is invalid: expected 1 <= min <= max <= 65535");
            }
            portMin = min;
            portMax = max;
            return this;
        }

        /** Host the targets answer on (their endpoint) and ports are checked on. Default {@value #DEFAULT_HOST}. */
        public Builder host(String value) {
            host = new Endpoint(value, 1).host();
            return this;
        }

        /** Working directory of the processes; must exist. Default the JVM's current directory. */
        public Builder workingDirectory(Path value) {
            if (value == null || !Files.isDirectory(value)) {
                throw new IllegalArgumentException("processLauncher.workingDirectory '" + value + "' is not a directory");
            }
            workingDirectory = value.toAbsolutePath();
            return this;
        }

        /** Adds an environment variable. The value is a secret: never logged or shown. Repeatable (last wins). */
        public Builder environment(String name, String value) {
            if (name == null || !ENV_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("processLauncher.environment name '" + (name == null ? "null" : Texts.snippet(name, 80))
                        + "' is invalid: expected a letter or '_' followed by letters, digits or '_'");
            }
            if (value == null || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("processLauncher.environment value of " + name
                        + " must not be null or contain NUL (value hidden)");
            }
            environment.put(name, value);
            return this;
        }

        /** Whether processes inherit this JVM's environment (plus {@link #environment}). Default {@code true}. */
        public Builder inheritEnvironment(boolean value) {
            inheritEnvironment = value;
            return this;
        }

        /** Directory of the per-target log files (created when missing). Default {@code <java.io.tmpdir>/zdd-logs}. */
        public Builder logDirectory(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("processLauncher.logDirectory must not be null");
            }
            logDirectory = value.toAbsolutePath();
            return this;
        }

        /** How long after start an exit fails the launch; not negative. Default 500 ms. */
        public Builder startupCheck(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("processLauncher.startupCheck must not be null or negative, was " + value);
            }
            startupCheck = value;
            return this;
        }

        /** How long to wait after SIGKILL; positive. Default 5 s. */
        public Builder killWait(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("processLauncher.killWait must be positive, was " + value);
            }
            killWait = value;
            return this;
        }

        /**
         * How many of the app's last log lines a launch error quotes, 0 to 1000. Default
         * {@value #DEFAULT_LOG_TAIL_LINES}: the message only names the log file, because the app's output may contain
         * secrets (a password it echoes, a connection string) that would then travel in exceptions and the engine's
         * logs. Turn it on only when the app's output is known to be free of secrets.
         */
        public Builder logTailLines(int value) {
            if (value < 0 || value > 1000) {
                throw new IllegalArgumentException("processLauncher.logTailLines must be in [0, 1000], was " + value);
            }
            logTailLines = value;
            return this;
        }

        /** Builds; throws when no command was set. */
        public ProcessLauncher build() {
            if (command == null) {
                throw new IllegalArgumentException("processLauncher.command is required");
            }
            return new ProcessLauncher(this);
        }
    }
}
