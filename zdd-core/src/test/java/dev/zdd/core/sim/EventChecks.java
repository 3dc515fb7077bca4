package dev.zdd.core.sim;

import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentEvent.Kind;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything in the simulator that depends on the format of {@link DeploymentEvent}: how an event is shown in a trace,
 * and the checks that the events of a run form a valid sequence. Stateless.
 */
final class EventChecks {
    private EventChecks() {
    }

    /** One line for the trace, without the deployment id (it differs between runs of one seed). */
    static String render(DeploymentEvent e) {
        String msg = e.describe().replace(e.deploymentId(), "<id>");
        if (msg.length() > 300) {
            msg = msg.substring(0, 300) + "...";
        }
        int i = index(e);
        return "event " + e.kind() + (i >= 0 ? " [" + i + "]" : "") + ": " + msg;
    }

    /** The step index an event is about, or -1. */
    static int index(DeploymentEvent e) {
        if (e instanceof DeploymentEvent.StepStarted s) {
            return s.index();
        } else if (e instanceof DeploymentEvent.StepEnded s) {
            return s.index();
        }
        return -1;
    }

    /**
     * The events of a run that reached a terminal status: STARTED first (unless the deployment never started, then no
     * events at all), times never go back, plan steps start in order (a step may start again only after a failure, when
     * resumed past a point of no return), one step at a time, each ends before the next starts, none starts after the
     * rollback began, SUCCEEDED means every step succeeded in order, and exactly one FINISHED event, the last, naming
     * the result's status.
     *
     * @param steps number of steps of the plan run, or -1 when unknown
     */
    static List<String> check(List<DeploymentEvent> events, DeploymentResult result, int steps) {
        List<String> v = new ArrayList<>();
        boolean neverStarted = result.steps().isEmpty() && result.launched().isEmpty();
        if (events.isEmpty()) {
            v.add("events: none, not even FINISHED");
            return v;
        }
        long started = events.stream().filter(e -> e.kind() == Kind.STARTED).count();
        if (neverStarted && result.reason().startsWith("not started")) {
            if (events.size() != 1 || events.get(0).kind() != Kind.FINISHED) {
                v.add("events: a deployment that never started has only FINISHED, but got "
                        + events.stream().map(e -> e.kind().name()).toList());
            }
        } else if (events.get(0).kind() != Kind.STARTED) {
            v.add("events: the first is " + events.get(0).kind() + ", not STARTED");
        }
        if (started > 1) {
            v.add("events: " + started + " STARTED events");
        }
        long finished = events.stream().filter(e -> e.kind() == Kind.FINISHED).count();
        if (finished != 1) {
            v.add("events: " + finished + " FINISHED events, expected exactly 1");
        }
        DeploymentEvent last = events.get(events.size() - 1);
        if (!(last instanceof DeploymentEvent.Finished f)) {
            v.add("events: the last is " + last.kind() + ", not FINISHED");
        } else if (!f.result().equals(result)) {
            v.add("events: FINISHED carries " + f.result().status() + " '" + brief(f.result().reason())
                    + "', not the result " + result.status());
        }
        Instant t = events.get(0).time();
        int open = -1;
        int lastStarted = -1;
        int lastSucceeded = -1;
        boolean rollingBack = false;
        int succeededInOrder = 0;
        for (DeploymentEvent e : events) {
            if (e.time().isBefore(t)) {
                v.add("events: time goes back at " + render(e));
            }
            t = e.time();
            int i = index(e);
            switch (e.kind()) {
                case ROLLBACK_STARTED -> rollingBack = true;
                case STEP_STARTED -> {
                    if (i < 0) {
                        break;
                    }
                    if (rollingBack) {
                        v.add("events: plan step " + i + " started after the rollback began");
                    }
                    if (open >= 0) {
                        v.add("events: step " + i + " started while step " + open + " had not ended");
                    }
                    if (i != lastSucceeded + 1 && i != lastStarted) {
                        v.add("events: step " + i + " started after step " + lastStarted + " (last succeeded "
                                + lastSucceeded + ")");
                    }
                    open = i;
                    lastStarted = i;
                }
                case STEP_ENDED -> {
                    if (i < 0) {
                        break;
                    }
                    Outcome o = ((DeploymentEvent.StepEnded) e).outcome();
                    if (open != i) {
                        v.add("events: STEP_ENDED " + o + " of step " + i + " while the open step is " + open);
                    }
                    open = -1;
                    boolean done = o == Outcome.SUCCEEDED || (o == Outcome.SKIPPED && !rollingBack
                            && !((DeploymentEvent.StepEnded) e).detail().startsWith("aborted"));
                    if (done) {
                        if (i == succeededInOrder) {
                            succeededInOrder++;
                        }
                        lastSucceeded = i;
                    }
                }
                default -> {
                }
            }
        }
        if (open >= 0 && result.status() != DeploymentStatus.SUCCEEDED) {
            v.add("events: step " + open + " never ended");
        }
        if (result.status() == DeploymentStatus.SUCCEEDED && steps >= 0 && succeededInOrder != steps) {
            v.add("events: SUCCEEDED but only " + succeededInOrder + " of " + steps + " steps succeeded in order");
        }
        return v;
    }

    private static String brief(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
