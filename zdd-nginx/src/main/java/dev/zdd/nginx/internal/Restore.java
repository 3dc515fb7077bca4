package dev.zdd.nginx.internal;

import dev.zdd.nginx.IncludeStore;
import dev.zdd.nginx.NginxControl;

import java.io.IOException;

/**
 * The way back after a failed apply of an nginx router: put the previous include back and, when a reload was
 * attempted, reload nginx back to it and confirm what it serves. Each method answers a sentence for the error message
 * (starting with {@code WARNING} when the way back failed too) instead of throwing. Stateless; thread-safe.
 */
public final class Restore {
    private Restore() {
    }

    /** Writes {@code previousText} back through {@code store} (removes the file when it was null). */
    public static String file(IncludeStore store, String previousText) {
        try {
            store.write(previousText);
            return previousText == null ? "the new file was removed (there was none before)"
                    : "the previous file was restored";
        } catch (IOException | RuntimeException e) {
            return "WARNING: the previous file could NOT be restored (" + e.getMessage() + ")";
        }
    }

    /**
     * Reloads nginx after the previous file was restored, and confirms what it serves then: {@code previous}'s
     * generation, or (a file zdd did not write, {@code previous} null) any generation but {@code next}'s. When the
     * failed step was the reload and the status server does not answer, nginx is taken to be stopped and not
     * signalled again.
     */
    public static String reloadBack(NginxControl control, Confirmation confirmation, boolean failedAtReload,
                                    IncludeFile previous, IncludeFile next, String statusUrl) {
        if (confirmation.served().isEmpty() && failedAtReload) {
            return "nginx does not answer on its status server " + statusUrl + " (not running?), so it was not"
                    + " reloaded back";
        }
        NginxControl.Result r;
        try {
            r = control.reload();
        } catch (RuntimeException e) {
            return "WARNING: reloading the previous configuration failed too (the control threw " + e + ")";
        }
        if (!r.ok()) {
            return "WARNING: reloading the previous configuration failed too (exit " + r.exitCode() + "): " + r.output();
        }
        if (previous == null) {
            String problem = confirmation.await("a generation other than the rejected " + next.id(),
                    body -> !body.equals(next.id()), true, -1, null);
            return problem == null ? "nginx was reloaded back to the file that was there before (not written by zdd:"
                    + " confirmed only that the rejected generation no longer answers)"
                    : "WARNING: reloaded back, but the rejected generation still answers: " + problem;
        }
        String problem = confirmation.generation(previous.id());
        return problem == null ? "nginx was reloaded back and serves the previous configuration"
                : "WARNING: reloaded back, but could not confirm the previous configuration: " + problem;
    }
}
