package dev.zdd.ssh;

import dev.zdd.ssh.internal.Shell;

/**
 * The constant shell texts {@link SshProcessLauncher} runs on the host to record a launch before its process starts
 * and to settle such pending launches later: shell functions and snippets with no user value in them (values are
 * passed as quoted variables, positional parameters or standard input by the launcher). Package-private; stateless.
 *
 * <p>Files in {@code <state>/<service>/}: {@code <id>.pending} (written under the host-side lock before the start: the
 * target, the launch token, the port, and the launching shell's pid and start time as {@code owner}/{@code ownerstart}),
 * {@code <id>.pid} (written by the started child itself, through {@link #SPAWN}, before the program runs) and
 * {@code <id>.target} (the marker: the pending record with the process's pid and start time instead of the owner).
 */
final class LaunchScripts {
    /** The environment variable carrying a launch's token in the started process. */
    static final String TOKEN_VARIABLE = "ZDD_LAUNCH_TOKEN";

    /**
     * The constant text of {@code /bin/sh -c} that starts the program: the shell writes its own pid to {@code $1}, then
     * {@code exec}s the rest of its positional parameters (program and arguments), so the pid stays the program's.
     */
    static final String SPAWN = "echo $$ > \"$1\" || exit 125; shift; exec \"$@\"";

    /** Defines {@code st PID}: the process's start time (clock ticks since boot), or nothing when it is gone. */
    static final String STARTTIME = "st() { sed 's/^.*) //' /proc/\"$1\"/stat 2>/dev/null | cut -d' ' -f20; }; ";

    /** Defines {@code pstate PID}: the process's state letter ({@code Z} for a zombie), or nothing when it is gone. */
    static final String STATE = "pstate() { sed 's/^.*) //' /proc/\"$1\"/stat 2>/dev/null | cut -d' ' -f1; }; ";

    /** Defines {@code tk PID TOKEN}: true when {@code /proc/PID/environ} carries {@code ZDD_LAUNCH_TOKEN=TOKEN}. */
    static final String HAS_TOKEN = "tk() { [ -n \"$2\" ] && tr '\\000' '\\n' < /proc/\"$1\"/environ 2>/dev/null"
            + " | grep -qxF \"" + TOKEN_VARIABLE + "=$2\"; }; ";

    /**
     * Defines {@code settle PENDINGFILE} (needs {@link #STARTTIME}, {@link #STATE}, {@link #HAS_TOKEN}): leaves alone a
     * pending launch whose launching shell still runs; otherwise drops it when its marker already carries its token;
     * else looks for its process: the pid the child wrote, accepted only when that process's environment carries the
     * launch token (a reused pid never does), or, without such a pid, a scan of {@code /proc} for the process group leader
     * carrying the token (children the program forks inherit its environment but not its group leadership). A live
     * process found becomes the marker; a pending launch with none (killed before the start, or the process has
     * exited) is removed. Reports on standard error.
     */
    static final String SETTLE = "settle() { zpf=$1; zb=${zpf%.pending}; "
            + "ztok=$(sed -n 's/^token=//p' \"$zpf\"); zop=$(sed -n 's/^owner=//p' \"$zpf\"); zos=$(sed -n 's/^ownerstart=//p' \"$zpf\"); "
            + "if [ -n \"$zop\" ] && [ -n \"$zos\" ] && [ \"$(st \"$zop\")\" = \"$zos\" ]; then return 0; fi; "
            + "if [ -f \"$zb.target\" ] && [ -n \"$ztok\" ] && [ \"$(sed -n 's/^token=//p' \"$zb.target\")\" = \"$ztok\" ]; then "
            + "rm -f -- \"$zpf\" \"$zb.pid\"; return 0; fi; "
            + "zp=$(cat -- \"$zb.pid\" 2>/dev/null || true); case \"$zp\" in ''|*[!0-9]*) zp='';; esac; "
            + "if [ -n \"$zp\" ] && ! tk \"$zp\" \"$ztok\"; then "
            + "echo \"zdd-settle: $zb.pid names pid $zp, which does not carry the launch token; left alone\" >&2; zp=''; fi; "
            + "if [ -z \"$zp\" ] && [ -n \"$ztok\" ]; then for ze in /proc/[0-9]*; do zq=${ze#/proc/}; "
            + "if tk \"$zq\" \"$ztok\" && [ \"$(sed 's/^.*) //' \"$ze/stat\" 2>/dev/null | cut -d' ' -f3)\" = \"$zq\" ]; then "
            + "zp=$zq; break; fi; done; fi; "
            + "if [ -z \"$zp\" ] || [ -z \"$(pstate \"$zp\")\" ] || [ \"$(pstate \"$zp\")\" = Z ]; then rm -f -- \"$zpf\" \"$zb.pid\"; "
            + "echo \"zdd-settle: $zpf: its launcher died and no process of it runs; removed\" >&2; return 0; fi; "
            + "{ sed '/^owner=/d; /^ownerstart=/d' \"$zpf\"; echo \"pid=$zp\"; echo \"start=$(st \"$zp\")\"; } > \"$zb.target.tmp\""
            + " && mv -f -- \"$zb.target.tmp\" \"$zb.target\" && rm -f -- \"$zpf\" \"$zb.pid\" "
            + "&& echo \"zdd-settle: $zpf: its launcher died after starting pid $zp; recorded in $zb.target\" >&2; }; ";

    /** Every function the settling needs. */
    static final String FUNCTIONS = STARTTIME + STATE + HAS_TOKEN + SETTLE;

    /** Takes the launcher's host-side lock ({@code flock} on {@code $s/.lock}, fd 9); needs {@code s} set. */
    static final String LOCK = "exec 9>\"$s/.lock\" || exit 20; "
            + "flock -w 10 9 || { echo 'the launcher lock is busy' >&2; exit 25; }; ";

    private LaunchScripts() {
    }

    /** Settles, under the lock, every pending launch matching {@code glob} (a quoted prefix and a glob tail). */
    static String settleAll(RemotePath stateDirectory, String glob) {
        return "s=" + Shell.quote(stateDirectory.value()) + "; " + FUNCTIONS
                + "if [ -d \"$s\" ]; then " + LOCK
                + "for x in " + glob + "; do [ -f \"$x\" ] && settle \"$x\"; done; flock -u 9; exec 9>&-; fi; ";
    }
}
