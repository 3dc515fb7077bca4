package dev.zdd.examples.demo;

import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentListener;
import dev.zdd.api.StepOutcome;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/**
 * The demo's console view of a deployment, one line per step a person can follow: {@code [3/9] +0.42 s shift traffic
 * [canary 10%]}, a failed step with its reason, and the start of a rollback. Details (every router apply, probe
 * answer, check) are the libraries' DEBUG log ({@code --verbose}). Thread-safe (prints whole lines).
 */
final class Progress implements DeploymentListener {
    private final PrintStream out;
    private volatile Instant started = Instant.EPOCH;
    private volatile int steps;

    Progress() {
        this(System.out);
    }

    Progress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onEvent(DeploymentEvent e) {
        if (e instanceof DeploymentEvent.Started s) {
            started = s.time();
            steps = s.plan().steps().size();
        } else if (e instanceof DeploymentEvent.StepStarted s) {
            line(s.time(), (s.index() < 0 ? "  " : "[" + (s.index() + 1) + "/" + steps + "] ") + s.step());
        } else if (e instanceof DeploymentEvent.StepEnded s && s.outcome() == StepOutcome.Outcome.FAILED) {
            line(s.time(), "[" + (s.index() + 1) + "/" + steps + "] FAILED: " + s.detail());
        } else if (e instanceof DeploymentEvent.RollbackStarted r) {
            line(r.time(), "ROLLBACK: " + r.reason());
        }
    }

    private void line(Instant at, String text) {
        double seconds = Duration.between(started, at).toMillis() / 1000.0;
        synchronized (out) {
            out.printf("    +%5.2f s  %s%n", seconds, text);
        }
    }
}
