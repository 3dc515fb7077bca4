package dev.zdd.core.testing;

import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.HealthStatus;
import dev.zdd.api.Target;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link HealthProbe} that answers from per-target scripts, for tests: each call takes the target's next scripted
 * answer, and the last answer repeats. Targets without a script get the default answer (HEALTHY for
 * {@link #healthy()}). Scripts can also throw ({@link #fail(String, String)}) or never answer ({@link #hang(String)},
 * which blocks until interrupted; see {@link VirtualScheduler#hangUntilInterrupted()}). Every call is recorded.
 *
 * <pre>{@code
 * ScriptedProbe probe = ScriptedProbe.healthy()
 *         .script("t1", UNHEALTHY, UNHEALTHY, HEALTHY)
 *         .alwaysUnhealthy("t2", "connection refused")
 *         .hang("t3");
 * }</pre>
 *
 * <p>Thread-safe: scripts may be changed while a deployment runs.
 */
public final class ScriptedProbe implements HealthProbe {
    private final HealthResult defaultAnswer;
    private final Map<String, Script> scripts = new HashMap<>();
    private final List<String> calls = new ArrayList<>();

    private ScriptedProbe(HealthResult defaultAnswer) {
        this.defaultAnswer = defaultAnswer;
    }

    /** A probe that says HEALTHY for every target without a script. */
    public static ScriptedProbe healthy() {
        return new ScriptedProbe(HealthResult.healthy());
    }

    /** A probe that says UNHEALTHY with {@code reason} for every target without a script. */
    public static ScriptedProbe unhealthy(String reason) {
        return new ScriptedProbe(HealthResult.unhealthy(reason));
    }

    /** Answers for {@code targetId}, in order; the last repeats. Reasons are generated ("scripted UNHEALTHY"). */
    public ScriptedProbe script(String targetId, HealthStatus... answers) {
        HealthResult[] results = new HealthResult[answers.length];
        for (int i = 0; i < answers.length; i++) {
            HealthStatus s = answers[i];
            if (s == null) {
                throw new IllegalArgumentException("answers[" + i + "] must not be null");
            }
            results[i] = s == HealthStatus.HEALTHY ? HealthResult.healthy() : new HealthResult(s, "scripted " + s);
        }
        return script(targetId, results);
    }

    /** Answers for {@code targetId}, in order; the last repeats. */
    public ScriptedProbe script(String targetId, HealthResult... answers) {
        if (answers == null || answers.length == 0) {
            throw new IllegalArgumentException("answers for '" + targetId + "' must not be empty");
        }
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] == null) {
                throw new IllegalArgumentException("answers[" + i + "] must not be null");
            }
            list.add(answers[i]);
        }
        return put(targetId, list);
    }

    /** {@code targetId} is always UNHEALTHY with {@code reason}. */
    public ScriptedProbe alwaysUnhealthy(String targetId, String reason) {
        return put(targetId, List.of(HealthResult.unhealthy(reason)));
    }

    /** Every call for {@code targetId} throws an {@link IOException} with {@code message}. */
    public ScriptedProbe fail(String targetId, String message) {
        return put(targetId, List.of(new Failure(message)));
    }

    /** Every call for {@code targetId} never answers: it blocks until interrupted. */
    public ScriptedProbe hang(String targetId) {
        return put(targetId, List.of(Hang.INSTANCE));
    }

    private synchronized ScriptedProbe put(String targetId, List<Object> answers) {
        if (targetId == null) {
            throw new IllegalArgumentException("targetId must not be null");
        }
        scripts.put(targetId, new Script(answers));
        return this;
    }

    @Override
    public HealthResult check(Target target, Duration timeout) throws Exception {
        Object answer;
        synchronized (this) {
            calls.add(target.id());
            Script s = scripts.get(target.id());
            answer = s == null ? defaultAnswer : s.next();
        }
        if (answer instanceof Failure f) {
            throw new IOException(f.message);
        }
        if (answer == Hang.INSTANCE) {
            VirtualScheduler.hangUntilInterrupted();
        }
        return (HealthResult) answer;
    }

    /** Target ids of every call so far, in call order. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** How many times {@code targetId} was probed. */
    public synchronized int calls(String targetId) {
        int n = 0;
        for (String c : calls) {
            if (c.equals(targetId)) {
                n++;
            }
        }
        return n;
    }

    /** A script: answers in order, the last repeating. */
    private static final class Script {
        private final List<Object> answers;
        private int next;

        Script(List<Object> answers) {
            this.answers = answers;
        }

        Object next() {
            Object a = answers.get(Math.min(next, answers.size() - 1));
            next++;
            return a;
        }
    }

    /** A scripted exception. */
    private record Failure(String message) {
    }

    /** A scripted hang. */
    private enum Hang {
        INSTANCE
    }
}
