package dev.zdd.core.policy;

import dev.zdd.api.ZddException;

import java.time.Instant;
import java.util.Optional;

/**
 * A {@link DeployWindowPolicy} refused a deployment. The message names the rule and the next allowed time.
 */
public class DeployWindowException extends ZddException {
    private static final long serialVersionUID = 1L;

    private final String rule;
    private final transient Instant nextAllowed;

    /**
     * @param what     the refused deployment, e.g. "deployment d1 of web 2.0"
     * @param decision the refusing decision
     */
    public DeployWindowException(String what, DeployWindowPolicy.Decision decision) {
        this(what, decision, "");
    }

    /**
     * @param what     the refused deployment
     * @param decision the refusing decision
     * @param detail   extra words (e.g. "the next allowed time is more than PT2H away"), may be empty
     */
    public DeployWindowException(String what, DeployWindowPolicy.Decision decision, String detail) {
        super(what + " " + decision.describe() + (detail == null || detail.isEmpty() ? "" : "; " + detail));
        this.rule = decision.rule();
        this.nextAllowed = decision.nextAllowed().orElse(null);
    }

    /** The rule that refused. */
    public String rule() {
        return rule;
    }

    /** The next allowed time, if there is one within {@link DeployWindowPolicy#SEARCH_DAYS}. */
    public Optional<Instant> nextAllowed() {
        return Optional.ofNullable(nextAllowed);
    }
}
