package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.api.Endpoint;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;
import dev.zdd.ssh.internal.Shell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Starts the app on another host over SSH, one process per target on an idle port: the {@code java -jar app.jar
 * --server.port=8081} pattern of deploy scripts, with every part validated and single-quoted.
 *
 * <pre>{@code
 * SshProcessLauncher launcher = SshProcessLauncher.builder(pool, SshHost.of("deploy", "app1.example.net", 22))
 *         .command("/usr/bin/java", "-jar", "/opt/shop/shop-{version}.jar", "--server.port={port}")
 *         .portRange(8081, 8089)
 *         .stateDirectory(RemotePath.of("/home/deploy/zdd"))
 *         .build();
 * }</pre>
 *
 * <p>{@link #launch} runs one command on the host that, under a lock ({@code flock} on a file in the state directory),
 * settles the service's pending launches (below), picks the first port of the range (rotating) that nothing listens on
 * ({@code /proc/net/tcp} and {@code tcp6}) and no instance of this state directory holds, and then, so that no moment
 * exists at which a killed deployer (or launch shell) leaves an instance nobody can find: writes a <em>pending</em>
 * marker {@code <state>/<service>/<id>.pending} (id, service, version, port, attributes, a unique launch token, and
 * the launching shell's pid and start time) <em>before</em> starting anything; starts the command detached in its own
 * session and process group ({@code setsid}, standard input from {@code /dev/null}, output to {@code <logs>/<id>.log})
 * as {@code /bin/sh -c 'echo $$ > "$1" || exit 125; shift; exec "$@"' zdd-launch <id>.pid <program> <args...>} with
 * {@code ZDD_LAUNCH_TOKEN=<token>} in its environment (a constant shell text: the pid file, program and arguments are
 * positional parameters, each single-quoted), so the child writes its own pid before the program runs and {@code exec}
 * keeps it; then writes the marker file {@code <state>/<service>/<id>.target} (the pending record with the pid and the
 * process start time) and removes the pending one. If the process exits within the startup check the launch fails
 * with its exit code and the log's path, and the marker is removed. Placeholders {@code {port}}, {@code {version}},
 * {@code {id}}, {@code {service}} and {@code {host}} are replaced in each argument (their values are validated names).
 * The pending record's fixed part (id, version, attributes, token) reaches the host through the command's standard
 * input, never as shell text. The returned target carries the attributes {@value #PID_ATTRIBUTE},
 * {@value #STARTED_ATTRIBUTE} (start time in clock ticks since boot, from {@code /proc/<pid>/stat}) and
 * {@value #HOST_ATTRIBUTE}.
 *
 * <p>Pending launches are settled, under the same lock, by {@link #inventory}, {@link #discover}, {@link #retire} and
 * {@link #launch}: one whose launching shell still runs is left alone; otherwise the process named by the pid file is
 * taken for the instance only if its {@code /proc/<pid>/environ} carries the launch's token (a reused pid never does),
 * and without a pid file {@code /proc} is scanned for the process group leader carrying the token; a live process
 * found is recorded as the marker, a pending launch without one (killed before the start, or exited) is removed. So
 * {@link #recordsBeforeStarting()} is {@code true}.
 *
 * <p>{@link #retire} identifies the process by the marker (or, when the marker is gone, by the target's pid and start
 * time attributes; a reused pid with another start time is never signalled, nor its group), sends SIGTERM to its
 * process group ({@code kill -s TERM -- -<pgid>}), waits up to the grace, then SIGKILL, waits at most
 * {@link Builder#killWait(Duration)}, and removes the marker. A target whose process has already exited is retired
 * without error; a target this launcher cannot identify (no marker and no pid attributes, or another host's) is a
 * {@link LaunchException}, never a silent success.
 *
 * <p>{@link #inventory(String)} lists every instance of a service the markers record (after settling), alive or not,
 * so that a new deployer process can name and clean what an earlier one started (the engine's crash recovery retires
 * them through {@link #retire}, which finds them by their markers).
 *
 * <p>Environment variables are not passed (values could be secrets and would appear in the remote command line): let
 * the app read its secrets from a file on the host. The host needs Linux ({@code /proc}), a POSIX shell as
 * {@code /bin/sh}, coreutils, {@code grep}, {@code sed}, {@code setsid} and {@code flock} (util-linux) and {@code awk}.
 *
 * <p>Thread-safe: several launches may run at once (the host-side lock serialises port choice).
 */
public final class SshProcessLauncher implements TargetLauncher, dev.zdd.api.TargetInventory {
    /** Attribute carrying the process id on the host. */
    public static final String PID_ATTRIBUTE = "pid";
    /** Attribute carrying the process's start time on the host (clock ticks since boot). */
    public static final String STARTED_ATTRIBUTE = "started";
    /** Attribute carrying the host ({@code user@host:port}) the process runs on. */
    public static final String HOST_ATTRIBUTE = "ssh.host";
    /** Default lowest port: {@value}. */
    public static final int DEFAULT_PORT_MIN = 8081;
    /** Default highest port: {@value}. */
    public static final int DEFAULT_PORT_MAX = 8099;
    /** Default startup check (an exit within it fails the launch): 500 ms. */
    public static final Duration DEFAULT_STARTUP_CHECK = Duration.ofMillis(500);
    /** Default wait after SIGKILL: 5 s. */
    public static final Duration DEFAULT_KILL_WAIT = Duration.ofSeconds(5);
    /** Default bound on one remote command, in addition to the grace and the startup check: 30 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(SshProcessLauncher.class);
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");
    private static final Pattern ATTRIBUTE_KEY = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final int UNKNOWN = 30;
    private static final int STILL_ALIVE = 32;
    private static final int MISMATCH = 31;

    private final SshClientPool pool;
    private final SshHost host;
    private final List<String> command;
    private final int portMin;
    private final int portMax;
    private final String bindAddress;
    private final RemotePath stateDirectory;
    private final RemotePath workingDirectory;
    private final RemotePath logDirectory;
    private final Duration startupCheck;
    private final Duration killWait;
    private final Duration timeout;
    private final Stage stopAt;
    private final Object portLock = new Object();
    private int nextPort;

    private SshProcessLauncher(Builder b) {
        this.pool = b.pool;
        this.host = b.host;
        this.command = List.copyOf(b.command);
        this.portMin = b.portMin;
        this.portMax = b.portMax;
        this.bindAddress = b.bindAddress == null ? b.host.host() : b.bindAddress;
        this.stateDirectory = b.stateDirectory;
        this.workingDirectory = b.workingDirectory == null ? b.stateDirectory : b.workingDirectory;
        this.logDirectory = b.logDirectory == null ? b.stateDirectory.resolve("logs") : b.logDirectory;
        this.startupCheck = b.startupCheck;
        this.killWait = b.killWait;
        this.timeout = b.timeout;
        this.nextPort = b.portMin;
        this.stopAt = b.stopAt;
    }

    /** A builder for processes on {@code host}; command and state directory are required. */
    public static Builder builder(SshClientPool pool, SshHost host) {
        return new Builder(pool, host);
    }

    /** The host the processes run on. */
    public SshHost host() {
        return host;
    }

    @Override
    public Target launch(LaunchRequest request) {
        Arguments.notNull("launch request", request);
        String id = request.targetId();
        for (Map.Entry<String, String> e : request.attributes().entrySet()) {
            Arguments.matches("launch.attributes key", e.getKey(), ATTRIBUTE_KEY,
                    "letters, digits and . _ - only, 1 to 128 characters");
            RemoteCommand.checkArgument("launch.attributes[" + e.getKey() + "]", e.getValue());
        }
        List<String> args = new ArrayList<>();
        for (String a : command) {
            args.add(a.replace("{version}", request.version()).replace("{id}", id)
                    .replace("{service}", request.service()).replace("{host}", bindAddress));
        }
        RemoteCommand.of(replacePort(args, "1")); // validates every part once more with real values
        RemotePath dir = stateDirectory.resolve(request.service());
        RemotePath log = logDirectory.resolve(id + ".log");
        StringBuilder cmd = new StringBuilder();
        for (String a : args) {
            String[] pieces = a.split("\\{port}", -1);
            StringBuilder word = new StringBuilder();
            for (int i = 0; i < pieces.length; i++) {
                if (i > 0) {
                    word.append("\"$port\"");
                }
                if (!pieces[i].isEmpty()) {
                    word.append(Shell.quote(pieces[i]));
                }
            }
            cmd.append(' ').append(word.length() == 0 ? "''" : word);
        }
        String token = UUID.randomUUID().toString();
        // the pending record's fixed part goes through standard input: no value of it is ever shell text
        StringBuilder record = new StringBuilder();
        record.append("id=").append(id).append("\nservice=").append(request.service()).append("\nversion=")
                .append(request.version()).append("\nhost=").append(bindAddress).append("\ntoken=").append(token).append('\n');
        request.attributes().forEach((k, v) -> record.append("attr.").append(k).append('=').append(v).append('\n'));
        String script = "set -u; s=" + Shell.quote(stateDirectory.value()) + "; d=" + Shell.quote(dir.value())
                + "; b=" + Shell.quote(dir.resolve(id).value()) + "; f=\"$b.target\"; pf=\"$b.pending\"; pidf=\"$b.pid\""
                + "; log=" + Shell.quote(log.value()) + "; "
                + "mkdir -p -- \"$d\" " + Shell.quote(logDirectory.value()) + " || exit 20; "
                + LaunchScripts.FUNCTIONS + LaunchScripts.LOCK
                + "for x in \"$d\"/*.pending; do [ -f \"$x\" ] && settle \"$x\"; done; "
                + "if [ -f \"$f\" ]; then op=$(sed -n 's/^pid=//p' \"$f\"); os=$(sed -n 's/^start=//p' \"$f\"); "
                + "if [ -n \"$op\" ] && [ \"$(st \"$op\")\" = \"$os\" ]; then echo \"already running as pid $op\" >&2; exit 21; fi; fi; "
                + "used=\" $(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4==\"0A\" {split($2,a,\":\"); print a[2]}'"
                + " | while read h; do printf '%d ' \"0x$h\"; done)"
                + " $(cat \"$s\"/*/*.target \"$s\"/*/*.pending 2>/dev/null | sed -n 's/^port=//p' | tr '\\n' ' ') \"; "
                + "port=''; for p in " + candidates() + "; do case \"$used\" in *\" $p \"*) ;; *) port=$p; break;; esac; done; "
                + "[ -n \"$port\" ] || { echo 'no free port in " + portMin + "-" + portMax + "' >&2; exit 22; }; "
                + "cd -- " + Shell.quote(workingDirectory.value()) + " || exit 23; "
                // recorded BEFORE the start: a launcher killed right after it leaves a trace any later launcher settles
                + "rm -f -- \"$pidf\"; { cat; echo \"port=$port\"; echo \"owner=$$\"; echo \"ownerstart=$(st $$)\"; }"
                + " > \"$pf.tmp\" && mv -f -- \"$pf.tmp\" \"$pf\" || exit 26; "
                + (stopAt == Stage.PENDING_WRITTEN ? "kill -KILL $$; " : "")
                + LaunchScripts.TOKEN_VARIABLE + "=" + Shell.quote(token) + " setsid /bin/sh -c "
                + Shell.quote(LaunchScripts.SPAWN) + " zdd-launch \"$pidf\"" + cmd
                + " </dev/null >\"$log\" 2>&1 9>&- & pid=$!; "
                + (stopAt == Stage.STARTED ? "kill -KILL $$; " : "")
                + "start=$(st \"$pid\"); "
                + "{ sed '/^owner=/d; /^ownerstart=/d' \"$pf\"; echo \"pid=$pid\"; echo \"start=$start\"; } > \"$f.tmp\""
                + " && mv -f -- \"$f.tmp\" \"$f\" && rm -f -- \"$pf\" || exit 26; "
                + "flock -u 9; exec 9>&-; "
                + "sleep " + seconds(startupCheck) + "; "
                + "state=$(pstate \"$pid\"); "
                + "if [ -z \"$state\" ] || [ \"$state\" = Z ]; then wait \"$pid\"; code=$?; rm -f -- \"$f\" \"$pidf\"; "
                + "echo \"exited with code $code within the startup check; see its log $log\" >&2; exit 24; fi; "
                + "rm -f -- \"$pidf\"; "
                + "echo \"pid=$pid start=$start port=$port\"";
        ExecResult r;
        synchronized (portLock) {
            nextPort = nextPort >= portMax ? portMin : nextPort + 1;
        }
        try {
            r = pool.run(host, script, record.toString().getBytes(StandardCharsets.UTF_8), timeout.plus(startupCheck));
        } catch (SshException e) {
            throw new LaunchException("target " + id + " on " + host + ": " + e.getMessage()
                    + " (the launch may have happened: retire " + id + " to be sure)", e);
        }
        logSettled(r);
        if (!r.ok()) {
            throw new LaunchException("target " + id + " (version " + request.version() + ") on " + host + ": "
                    + launchFailure(r.exitCode()) + ": " + Arguments.printable(r.stderr().strip()));
        }
        Map<String, String> kv = parse(r.stdout().strip().replace(' ', '\n'));
        String pid = kv.get("pid");
        String start = kv.get("start");
        String port = kv.get("port");
        if (pid == null || start == null || port == null || !DIGITS.matcher(port).matches()) {
            throw new LaunchException("target " + id + " on " + host + ": unexpected answer from the host: "
                    + Arguments.printable(r.stdout().strip()));
        }
        Map<String, String> attributes = new LinkedHashMap<>(request.attributes());
        attributes.put(PID_ATTRIBUTE, pid);
        attributes.put(STARTED_ATTRIBUTE, start);
        attributes.put(HOST_ATTRIBUTE, host.toString());
        LOG.info("launched target {} (version {}) on {} as pid {} on {}:{}: {}; log {}", id, request.version(), host,
                pid, bindAddress, port, command.get(0), log);
        return new Target(id, request.version(), new Endpoint(bindAddress, Integer.parseInt(port)), attributes);
    }

    private static List<String> replacePort(List<String> args, String port) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            out.add(a.replace("{port}", port));
        }
        return out;
    }

    private String candidates() {
        int start;
        synchronized (portLock) {
            start = nextPort;
        }
        int size = portMax - portMin + 1;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : " ").append(portMin + Math.floorMod(start - portMin + i, size));
        }
        return sb.toString();
    }

    private static String launchFailure(int code) {
        return switch (code) {
            case 20 -> "cannot create the state or log directory";
            case 21 -> "an instance with this id is already running; retire it first";
            case 22 -> "no free port";
            case 23 -> "cannot enter the working directory";
            case 24 -> "the process exited within the startup check";
            case 25 -> "the launcher's lock on the host stayed busy";
            case 26 -> "cannot write the marker file";
            default -> "the launch command failed (exit " + code + "; the process may have started: a later discover"
                    + " or retire of this id settles its pending marker)";
        };
    }

    @Override
    public void retire(Target target, Duration grace) {
        Arguments.notNull("target", target);
        Arguments.nonNegative("grace", grace);
        String onHost = target.attribute(HOST_ATTRIBUTE);
        if (onHost != null && !onHost.equals(host.toString())) {
            throw new LaunchException("cannot retire target " + target.id() + ": it runs on " + Arguments.printable(onHost)
                    + ", this launcher manages " + host);
        }
        String pid = target.attribute(PID_ATTRIBUTE);
        String start = target.attribute(STARTED_ATTRIBUTE);
        if (pid != null && !DIGITS.matcher(pid).matches() || start != null && !DIGITS.matcher(start).matches()) {
            throw new LaunchException("cannot retire target " + target.id() + ": its pid/started attributes are not"
                    + " numbers (" + Arguments.printable(pid) + ", " + Arguments.printable(start) + ")");
        }
        String service = findService(target);
        RemotePath marker = service == null ? null : stateDirectory.resolve(service).resolve(target.id() + ".target");
        long graceTicks = Math.max(0, grace.toMillis() / 50);
        long killTicks = Math.max(1, killWait.toMillis() / 50);
        String script = "set -u; " + LaunchScripts.STARTTIME
                + "f=" + (marker == null ? "''" : Shell.quote(marker.value())) + "; "
                + "ap=" + Shell.quote(pid == null ? "" : pid) + "; as=" + Shell.quote(start == null ? "" : start) + "; "
                + "if [ -n \"$f\" ] && [ -f \"$f\" ]; then pid=$(sed -n 's/^pid=//p' \"$f\"); start=$(sed -n 's/^start=//p' \"$f\"); "
                + "if [ -n \"$ap\" ] && { [ \"$ap\" != \"$pid\" ] || [ \"$as\" != \"$start\" ]; }; then "
                + "echo \"the marker names pid $pid started $start, the target pid $ap started $as\" >&2; exit " + MISMATCH + "; fi; "
                + "elif [ -n \"$ap\" ] && [ -n \"$as\" ]; then pid=$ap; start=$as; "
                + "else echo 'no marker file and no pid attributes' >&2; exit " + UNKNOWN + "; fi; "
                + "alive() { [ \"$(st \"$pid\")\" = \"$start\" ] && [ \"$(sed 's/^.*) //' /proc/\"$pid\"/stat 2>/dev/null | cut -d' ' -f1)\" != Z ]; }; "
                // the group, unless the pid now names another process (a group id is never reused while its group lives)
                + "grp() { gs=$(st \"$pid\"); { [ -z \"$gs\" ] || [ \"$gs\" = \"$start\" ]; } && kill -s \"$1\" -- -\"$pid\" 2>/dev/null; }; "
                + "if ! alive; then grp KILL; rm -f -- \"$f\"; echo gone; exit 0; fi; "
                + "grp TERM || kill -TERM \"$pid\"; "
                + "n=0; while alive && [ $n -lt " + graceTicks + " ]; do sleep 0.05; n=$((n+1)); done; "
                + "if alive; then grp KILL || kill -KILL \"$pid\"; n=0; "
                + "while alive && [ $n -lt " + killTicks + " ]; do sleep 0.05; n=$((n+1)); done; "
                + "if alive; then echo \"pid $pid is still alive after SIGKILL\" >&2; exit " + STILL_ALIVE + "; fi; "
                + "rm -f -- \"$f\"; echo killed; exit 0; fi; "
                + "grp KILL; rm -f -- \"$f\"; echo stopped";
        ExecResult r;
        try {
            r = pool.run(host, script, null, timeout.plus(grace).plus(killWait));
        } catch (SshException e) {
            throw new LaunchException("retire " + target.id() + " on " + host + ": " + e.getMessage()
                    + " (it may or may not be stopped)", e);
        }
        if (r.exitCode() == UNKNOWN) {
            throw new LaunchException("cannot retire target " + target.id() + " on " + host + ": this launcher cannot"
                    + " identify it (no marker file under " + stateDirectory + " and no " + PID_ATTRIBUTE + "/"
                    + STARTED_ATTRIBUTE + " attributes); nothing was stopped");
        }
        if (!r.ok()) {
            throw new LaunchException("retire " + target.id() + " on " + host + " failed (exit " + r.exitCode() + "): "
                    + Arguments.printable(r.stderr().strip()));
        }
        LOG.info("retired target {} on {}: {}", target.id(), host, r.stdout().strip());
    }

    /** The service whose marker directory holds the target, or null. */
    private String findService(Target target) {
        String script = LaunchScripts.settleAll(stateDirectory, "\"$s\"/*/" + Shell.quote(target.id() + ".pending"))
                + "for f in " + Shell.quote(stateDirectory.value()) + "/*/" + Shell.quote(target.id() + ".target")
                + "; do [ -f \"$f\" ] && sed -n 's/^service=//p' \"$f\" && break; done; true";
        ExecResult r;
        try {
            r = pool.run(host, script, null, timeout);
        } catch (SshException e) {
            throw new LaunchException("retire " + target.id() + " on " + host + ": " + e.getMessage(), e);
        }
        logSettled(r);
        if (!r.ok()) {
            throw new LaunchException("retire " + target.id() + " on " + host + ": cannot read the launcher state (exit "
                    + r.exitCode() + "): " + Arguments.printable(r.stderr().strip()));
        }
        String s = r.stdout().strip();
        if (s.isEmpty()) {
            return null;
        }
        try {
            return RemotePath.of(stateDirectory.value()).resolve(s).name();
        } catch (IllegalArgumentException e) {
            throw new LaunchException("retire " + target.id() + " on " + host + ": its marker names an invalid service '"
                    + Arguments.printable(s) + "'");
        }
    }

    /** The live instances of {@code service} on the host ({@link #inventory(String)} less the dead ones). */
    @Override
    public List<dev.zdd.api.Target> discover(String service) {
        List<dev.zdd.api.Target> out = new ArrayList<>();
        for (RemoteInstance i : inventory(service)) {
            if (i.alive()) {
                out.add(i.target());
            }
        }
        return out;
    }

    /**
     * Every instance of {@code service} whose marker file is on the host, with whether its process (same pid, same
     * start time) is alive: what a new deployer process (or an operator) needs to name and clean what an earlier one
     * started.
     */
    public List<RemoteInstance> inventory(String service) {
        RemotePath dir = stateDirectory.resolve(Arguments.notNull("service", service));
        String script = LaunchScripts.settleAll(stateDirectory, Shell.quote(dir.value()) + "/*.pending")
                + "for f in " + Shell.quote(dir.value()) + "/*.target; do [ -f \"$f\" ] || continue; "
                + "cat -- \"$f\"; p=$(sed -n 's/^pid=//p' \"$f\"); echo \"now=$(st \"$p\")\"; echo '--'; done";
        ExecResult r;
        try {
            r = pool.run(host, script, null, timeout);
        } catch (SshException e) {
            throw new LaunchException("inventory of " + service + " on " + host + ": " + e.getMessage(), e);
        }
        logSettled(r);
        if (!r.ok()) {
            throw new LaunchException("inventory of " + service + " on " + host + " failed (exit " + r.exitCode() + "): "
                    + Arguments.printable(r.stderr().strip()));
        }
        List<RemoteInstance> out = new ArrayList<>();
        for (String block : r.stdout().split("--\n")) {
            if (block.isBlank()) {
                continue;
            }
            Map<String, String> kv = parse(block);
            try {
                Map<String, String> attributes = new LinkedHashMap<>();
                kv.forEach((k, v) -> {
                    if (k.startsWith("attr.")) {
                        attributes.put(k.substring(5), v);
                    }
                });
                attributes.put(PID_ATTRIBUTE, kv.get("pid"));
                attributes.put(STARTED_ATTRIBUTE, kv.get("start"));
                attributes.put(HOST_ATTRIBUTE, host.toString());
                Target t = new Target(kv.get("id"), kv.get("version"),
                        new Endpoint(kv.get("host"), Integer.parseInt(kv.get("port"))), attributes);
                boolean alive = kv.get("start") != null && kv.get("start").equals(kv.get("now"));
                out.add(new RemoteInstance(t, alive));
            } catch (RuntimeException e) {
                LOG.warn("inventory of {} on {}: skipping an unreadable marker: {}", service, host, e.getMessage());
            }
        }
        return out;
    }

    /** Logs what settling pending launches did on the host (its lines on standard error). */
    private void logSettled(ExecResult r) {
        for (String line : r.stderr().split("\n")) {
            if (line.startsWith("zdd-settle: ")) {
                LOG.info("{}: {}", host, Arguments.printable(line.substring(12)));
            }
        }
    }

    /**
     * {@code true}: every launch is recorded on the host (as a pending marker) before its process starts, so
     * {@link #discover} lists every instance whose launch got as far as starting a process, whenever the deployer or
     * the launch's remote shell died.
     */
    @Override
    public boolean recordsBeforeStarting() {
        return true;
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return kv;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms / 1000 + "." + String.format("%03d", ms % 1000);
    }

    @Override
    public String toString() {
        return "SshProcessLauncher[" + host + ", " + command.get(0) + ", ports " + portMin + "-" + portMax + "]";
    }

    /** Points of a launch at which a test can make the remote launch shell kill itself (see {@code Builder.stopAt}). */
    enum Stage {
        /** The pending marker is written; nothing is started yet. */
        PENDING_WRITTEN,
        /** The process is started; its marker is not written yet (the spawn-to-record gap). */
        STARTED
    }

    /** Builds an {@link SshProcessLauncher}. Not thread-safe. */
    public static final class Builder {
        private final SshClientPool pool;
        private final SshHost host;
        private List<String> command;
        private int portMin = DEFAULT_PORT_MIN;
        private int portMax = DEFAULT_PORT_MAX;
        private String bindAddress;
        private RemotePath stateDirectory;
        private RemotePath workingDirectory;
        private RemotePath logDirectory;
        private Duration startupCheck = DEFAULT_STARTUP_CHECK;
        private Duration killWait = DEFAULT_KILL_WAIT;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Stage stopAt;

        private Builder(SshClientPool pool, SshHost host) {
            this.pool = Arguments.notNull("pool", pool);
            this.host = Arguments.notNull("host", host);
        }

        /**
         * Required. The program (absolute path or bare name) and its arguments, each validated like a
         * {@link RemoteCommand} part once the placeholders are replaced.
         */
        public Builder command(String... value) {
            return command(List.of(value));
        }

        /** As {@link #command(String...)}. */
        public Builder command(List<String> value) {
            Arguments.notNull("command", value);
            List<String> sample = new ArrayList<>();
            for (String a : value) {
                sample.add(Arguments.notNull("command part", a).replace("{port}", "8080").replace("{version}", "1.0")
                        .replace("{id}", "id").replace("{service}", "svc").replace("{host}", "127.0.0.1"));
            }
            RemoteCommand.of(sample);
            command = List.copyOf(value);
            return this;
        }

        /** The ports to choose from. Default {@link #DEFAULT_PORT_MIN}-{@link #DEFAULT_PORT_MAX}; 1-65535, min <= max. */
        public Builder portRange(int min, int max) {
            Arguments.range("portRange.min", min, 1, 65535);
            Arguments.range("portRange.max", max, min, 65535);
            portMin = min;
            portMax = max;
            return this;
        }

        /** The address the app answers on and targets get as endpoint host. Default the SSH host's name. */
        public Builder bindAddress(String value) {
            bindAddress = SshHost.checkHost("bindAddress", value);
            return this;
        }

        /** Required. A directory on the host that this launcher owns: marker files, lock, default logs. */
        public Builder stateDirectory(RemotePath value) {
            stateDirectory = Arguments.notNull("stateDirectory", value);
            return this;
        }

        /** The directory the app starts in. Default the state directory. */
        public Builder workingDirectory(RemotePath value) {
            workingDirectory = Arguments.notNull("workingDirectory", value);
            return this;
        }

        /** Where {@code <id>.log} goes. Default {@code <state>/logs}. */
        public Builder logDirectory(RemotePath value) {
            logDirectory = Arguments.notNull("logDirectory", value);
            return this;
        }

        /** An exit within this time fails the launch. Default {@link #DEFAULT_STARTUP_CHECK}; not negative. */
        public Builder startupCheck(Duration value) {
            startupCheck = Arguments.nonNegative("startupCheck", value);
            return this;
        }

        /** Wait after SIGKILL before giving up. Default {@link #DEFAULT_KILL_WAIT}; positive. */
        public Builder killWait(Duration value) {
            killWait = Arguments.positive("killWait", value);
            return this;
        }

        /** Bound on one remote command besides grace and startup check. Default {@link #DEFAULT_TIMEOUT}; positive. */
        public Builder timeout(Duration value) {
            timeout = Arguments.positive("timeout", value);
            return this;
        }

        /** Tests only: the remote launch shell kills itself (SIGKILL) right after {@code stage}. */
        Builder stopAt(Stage stage) {
            stopAt = stage;
            return this;
        }

        /** Builds the launcher; throws IllegalArgumentException naming a missing field. */
        public SshProcessLauncher build() {
            if (command == null) {
                throw new IllegalArgumentException("command is required");
            }
            if (stateDirectory == null) {
                throw new IllegalArgumentException("stateDirectory is required");
            }
            return new SshProcessLauncher(this);
        }
    }
}
