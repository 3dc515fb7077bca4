package dev.zdd.haproxy;

import dev.zdd.api.RouterException;

/**
 * The HAProxy runtime API could not be reached, refused a command, or answered something that is not a valid answer.
 * Carries the command(s) sent and HAProxy's own answer (empty when there was none).
 *
 * <p>Immutable once thrown.
 */
public class RuntimeApiException extends RouterException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final String answer;

    /** An exception for {@code command} that got {@code answer}. */
    public RuntimeApiException(String message, String command, String answer) {
        super(message);
        this.command = command;
        this.answer = answer == null ? "" : answer;
    }

    /** An exception for {@code command} caused by {@code cause} (no answer). */
    public RuntimeApiException(String message, String command, Throwable cause) {
        super(message, cause);
        this.command = command;
        this.answer = "";
    }

    /** The command line sent (several are joined with {@code ;}). */
    public String command() {
        return command;
    }

    /** HAProxy's answer, as received; empty when there was none. */
    public String answer() {
        return answer;
    }
}
