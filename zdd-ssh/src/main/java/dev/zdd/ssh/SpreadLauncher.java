package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spreads targets over several app hosts, one {@link SshProcessLauncher} per host: a target whose id ends in
 * {@code -<n>} (as blue-green, canary and rolling name them: {@code shop-green-1}, {@code shop-green-2}) goes to host
 * {@code (n - 1) mod hosts}, so instance 1 of every colour lands on the first host, instance 2 on the second; other
 * ids go by hash. {@link #retire} goes to the host named by the target's {@value SshProcessLauncher#HOST_ATTRIBUTE}
 * attribute, or, for a target without it (a launch cut off before it answered), asks each host in turn and fails
 * only when none can identify it.
 *
 * <p>Immutable; thread-safe.
 */
public final class SpreadLauncher implements TargetLauncher, dev.zdd.api.TargetInventory {
    private static final Pattern INDEX = Pattern.compile(".*-([0-9]{1,6})");

    private final List<SshProcessLauncher> launchers;

    private SpreadLauncher(List<SshProcessLauncher> launchers) {
        this.launchers = List.copyOf(launchers);
    }

    /** A launcher over these hosts' launchers (at least one; no host twice). */
    public static SpreadLauncher of(SshProcessLauncher... launchers) {
        Arguments.notNull("launchers", launchers);
        if (launchers.length == 0) {
            throw new IllegalArgumentException("launchers must not be empty");
        }
        List<SshHost> seen = new ArrayList<>();
        for (SshProcessLauncher l : launchers) {
            Arguments.notNull("launcher", l);
            if (seen.contains(l.host())) {
                throw new IllegalArgumentException("launchers: host " + l.host() + " appears twice");
            }
            seen.add(l.host());
        }
        return new SpreadLauncher(List.of(launchers));
    }

    /** The launcher a target id goes to. */
    public SshProcessLauncher launcherFor(String targetId) {
        Matcher m = INDEX.matcher(targetId);
        int i = m.matches() ? Integer.parseInt(m.group(1)) - 1 : targetId.hashCode();
        return launchers.get(Math.floorMod(i, launchers.size()));
    }

    /** The live instances of {@code service} on every host, host by host. */
    @Override
    public List<Target> discover(String service) {
        List<Target> out = new ArrayList<>();
        for (SshProcessLauncher l : launchers) {
            out.addAll(l.discover(service));
        }
        return out;
    }

    /**
     * {@code true}: every host's {@link SshProcessLauncher} records each launch on its host before starting it, and
     * {@link #discover} asks every host (one it cannot reach makes {@code discover} throw, never list less).
     */
    @Override
    public boolean recordsBeforeStarting() {
        return true;
    }

    @Override
    public Target launch(LaunchRequest request) {
        Arguments.notNull("launch request", request);
        return launcherFor(request.targetId()).launch(request);
    }

    @Override
    public void retire(Target target, Duration grace) {
        Arguments.notNull("target", target);
        String host = target.attribute(SshProcessLauncher.HOST_ATTRIBUTE);
        if (host != null) {
            for (SshProcessLauncher l : launchers) {
                if (l.host().toString().equals(host)) {
                    l.retire(target, grace);
                    return;
                }
            }
            throw new LaunchException("cannot retire target " + target.id() + ": it runs on "
                    + Arguments.printable(host) + ", which is none of " + hosts());
        }
        List<String> why = new ArrayList<>();
        for (SshProcessLauncher l : launchers) {
            try {
                l.retire(target, grace);
                return;
            } catch (LaunchException e) {
                if (!e.getMessage().contains("cannot identify")) {
                    throw e;
                }
                why.add(l.host().toString());
            }
        }
        throw new LaunchException("cannot retire target " + target.id() + ": none of " + why
                + " can identify it (no marker file, no pid attributes); nothing was stopped");
    }

    private List<SshHost> hosts() {
        return launchers.stream().map(SshProcessLauncher::host).toList();
    }

    @Override
    public String toString() {
        return "SpreadLauncher" + hosts();
    }
}
