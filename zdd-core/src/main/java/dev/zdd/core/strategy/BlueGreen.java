package dev.zdd.core.strategy;

import dev.zdd.api.Arguments;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Step;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Blue-green: start the new version beside the old one on the idle colour, check it, then switch all traffic at once;
 * keep the old colour warm for a rollback window, then drain and retire it.
 *
 * <p>The live colour is the {@link Target#COLOUR} attribute of the targets that serve in the routing read from the
 * router (never a file the user keeps); the idle colour is the other one. When nothing serves, or the serving targets
 * carry no colour, the {@linkplain Builder#initialColour(String) initial colour} is used; when nothing serves and no
 * initial colour is set (a first deployment), the first colour (blue). With nothing serving, {@code spec.instances} 0
 * and no targets given, one instance is started. Plan:
 * <ol>
 * <li>launch the idle colour's targets ({@code <service>-<colour>-<n>}, attribute {@code colour=<idle>}), or take
 *     {@code spec.targets} as they are;</li>
 * <li>await healthy;</li>
 * <li>optional preview: old traffic unchanged, the new targets listed with weight 0, and a {@link Rule} sending requests
 *     whose {@linkplain Builder#preview(RequestKey, String) preview key} matches to the new version; then an optional
 *     check and/or manual gate;</li>
 * <li>hooks before the switch; the switch (new version evenly, old targets DRAINING, or DISABLED when the router cannot
 *     drain); hooks after the switch;</li>
 * <li>a pause of the rollback window ({@link dev.zdd.api.Deployment#promote()} ends it early), drain the old targets,
 *     remove them from the table, and retire them when a launcher is available.</li>
 * </ol>
 * Targets in the current routing that do not serve (DRAINING, DISABLED, ACTIVE with weight 0) are carried unchanged
 * through every table. Stickiness and rules of the current routing are not carried (the engine restores them on
 * rollback). The plan contains no rollback steps: the engine's rollback is generic.
 *
 * <p>Immutable; thread-safe. Build with {@link #builder()}.
 */
public final class BlueGreen implements Strategy {
    /** Name of the plans this strategy makes. */
    public static final String NAME = "blue-green";
    /** Default first colour. */
    public static final String DEFAULT_BLUE = "blue";
    /** Default second colour. */
    public static final String DEFAULT_GREEN = "green";
    /** Default rollback window: how long the old colour stays warm after the switch. */
    public static final Duration DEFAULT_ROLLBACK_WINDOW = Duration.ofSeconds(30);
    /** Default longest wait for the old targets' connections to close. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default grace between the polite stop signal and the forced stop of an old target. */
    public static final Duration DEFAULT_RETIRE_GRACE = Duration.ofSeconds(10);
    /** Default preview key: the {@code X-Preview} header. */
    public static final RequestKey DEFAULT_PREVIEW_KEY = RequestKey.header("X-Preview");
    /** Default preview value. */
    public static final String DEFAULT_PREVIEW_VALUE = "1";

    private final String blue;
    private final String green;
    private final String initialColour;
    private final Duration rollbackWindow;
    private final Duration drainTimeout;
    private final Duration retireGrace;
    private final RequestKey previewKey;
    private final String previewValue;
    private final String previewCheck;
    private final String previewGate;
    private final Duration previewGateTimeout;
    private final List<String> beforeSwitch;
    private final List<String> afterSwitch;
    private final VerificationWindow verification;

    private BlueGreen(Builder b) {
        blue = b.blue;
        green = b.green;
        initialColour = b.initialColour;
        rollbackWindow = b.rollbackWindow;
        drainTimeout = b.drainTimeout;
        retireGrace = b.retireGrace;
        previewKey = b.previewKey;
        previewValue = b.previewValue;
        previewCheck = b.previewCheck;
        previewGate = b.previewGate;
        previewGateTimeout = b.previewGateTimeout;
        beforeSwitch = List.copyOf(b.beforeSwitch);
        afterSwitch = List.copyOf(b.afterSwitch);
        verification = b.verification;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A blue-green strategy with all defaults and no initial colour. */
    public static BlueGreen defaults() {
        return builder().build();
    }

    @Override
    public Plan plan(PlanContext ctx) {
        Arguments.notNull("context", ctx);
        DeploymentSpec spec = ctx.spec();
        PlanSupport.Current current = PlanSupport.current(NAME, ctx);
        List<String> oldIds = current.servingIds();
        int count = PlanSupport.desiredCount(NAME, ctx, oldIds.size());
        if (previewKey != null) {
            if (!ctx.capabilities().rules()) {
                throw new IllegalArgumentException(NAME + ": preview needs a router that supports rules "
                        + "(capabilities.rules is false)");
            }
            if (oldIds.isEmpty()) {
                throw new IllegalArgumentException(NAME + ": preview needs a serving version to keep traffic on, but "
                        + "nothing serves in the current routing");
            }
            if (current.servingVersions().contains(spec.version())) {
                throw new IllegalArgumentException(NAME + ": preview needs spec.version '" + spec.version()
                        + "' to differ from the serving version");
            }
        }
        List<Step> steps = new ArrayList<>();
        List<String> newIds = new ArrayList<>(count);
        if (!spec.targets().isEmpty()) {
            for (Target t : spec.targets()) {
                newIds.add(t.id());
            }
        } else {
            String idle = idleColour(current.serving(), spec);
            newIds.addAll(PlanSupport.generateIds(spec.service() + "-" + idle, count, current.ids()));
            for (String id : newIds) {
                steps.add(PlanSupport.launch(id, spec, Map.of(Target.COLOUR, idle)));
            }
        }
        steps.add(new Step.AwaitHealthy(newIds));
        Map<String, Target> targets = current.targets();
        String version = spec.version();
        if (previewKey != null) {
            Rule rule = Rule.match(previewKey, Set.of(previewValue), version);
            int[] zero = new int[newIds.size()];
            steps.add(new PlanSupport.Table(newIds.size() + current.serving().size())
                    .active(newIds, zero)
                    .active(oldIds, PlanSupport.distribute(Routing.MAX_WEIGHT, current.servingWeights()))
                    .add(current.carried())
                    .build("preview", null, List.of(rule), ctx, targets, version, NAME + " preview"));
            if (previewCheck != null) {
                steps.add(new Step.Check(previewCheck));
            }
            if (previewGate != null) {
                steps.add(new Step.Gate(previewGate, previewGateTimeout));
            }
        }
        for (String hook : beforeSwitch) {
            steps.add(new Step.Hook(hook));
        }
        int[] even = PlanSupport.distribute(Routing.MAX_WEIGHT, PlanSupport.ones(newIds.size()));
        RouteState out = PlanSupport.outOfService(ctx);
        steps.add(new PlanSupport.Table(newIds.size() + current.serving().size())
                .active(newIds, even)
                .state(oldIds, out)
                .add(current.carried())
                .build("switch", null, List.of(), ctx, targets, version, NAME + " switch"));
        for (String hook : afterSwitch) {
            steps.add(new Step.Hook(hook));
        }
        if (!oldIds.isEmpty()) {
            if (verification != null && verification.keepOldWarm()) {
                steps.add(verification.step(newIds));
            } else if (verification == null && !rollbackWindow.isZero()) {
                steps.add(new Step.Pause(rollbackWindow));
            }
            steps.add(new Step.Drain(oldIds, drainTimeout));
            steps.add(new PlanSupport.Table(newIds.size())
                    .active(newIds, even)
                    .add(current.carried())
                    .build("remove old", null, List.of(), ctx, targets, version, NAME + " remove old"));
            if (ctx.launcherAvailable()) {
                steps.add(new Step.Retire(oldIds, retireGrace));
            }
            if (verification != null && !verification.keepOldWarm()) {
                steps.add(verification.step(newIds));
            }
        } else if (verification != null) {
            steps.add(verification.step(newIds));
        }
        return new Plan(NAME, steps);
    }

    /** The colour to launch on: the other of the serving targets' colour, or the initial colour. */
    private String idleColour(List<Route> serving, DeploymentSpec spec) {
        Map<String, String> colours = new TreeMap<>();
        String live = null;
        boolean missing = false;
        for (Route r : serving) {
            String c = r.target().attribute(Target.COLOUR);
            colours.put(r.target().id(), c == null ? "(none)" : c);
            if (c == null) {
                missing = true;
            } else if (live == null) {
                live = c;
            } else if (!live.equals(c)) {
                throw new IllegalArgumentException(NAME + ": serving targets disagree on colour: " + colours);
            }
        }
        String idle;
        if (live != null && missing) {
            throw new IllegalArgumentException(NAME + ": serving targets disagree on colour: " + colours);
        } else if (live != null) {
            if (live.equals(blue)) {
                idle = green;
            } else if (live.equals(green)) {
                idle = blue;
            } else {
                throw new IllegalArgumentException(NAME + ": serving colour '" + Arguments.printable(live)
                        + "' is neither '" + blue + "' nor '" + green + "'");
            }
        } else if (initialColour != null) {
            idle = initialColour;
        } else if (serving.isEmpty()) {
            idle = blue; // a first deployment: nothing serves, nothing to alternate with
        } else {
            throw new IllegalArgumentException(NAME + ": serving targets carry no colour attribute and no colour given "
                    + "(set initialColour): " + colours.keySet());
        }
        String asked = spec.attributes().get(Target.COLOUR);
        if (asked != null && !asked.equals(idle)) {
            throw new IllegalArgumentException(NAME + ": spec.attributes colour '" + Arguments.printable(asked)
                    + "' is not the idle colour '" + idle + "'");
        }
        return idle;
    }

    @Override
    public String toString() {
        return "BlueGreen[colours=" + blue + "/" + green + ", initialColour=" + initialColour + ", rollbackWindow="
                + rollbackWindow + ", drainTimeout=" + drainTimeout + ", retireGrace=" + retireGrace
                + (previewKey == null ? "" : ", preview=" + previewKey + "=" + previewValue) + "]";
    }

    /**
     * Builds a {@link BlueGreen}. Every setter validates its argument and names it in the
     * {@link IllegalArgumentException}. Not thread-safe.
     */
    public static final class Builder {
        private String blue = DEFAULT_BLUE;
        private String green = DEFAULT_GREEN;
        private String initialColour;
        private Duration rollbackWindow = DEFAULT_ROLLBACK_WINDOW;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration retireGrace = DEFAULT_RETIRE_GRACE;
        private RequestKey previewKey;
        private String previewValue;
        private String previewCheck;
        private String previewGate;
        private Duration previewGateTimeout;
        private final List<String> beforeSwitch = new ArrayList<>();
        private final List<String> afterSwitch = new ArrayList<>();
        private VerificationWindow verification;

        private Builder() {
        }

        /**
         * A verification window after the switch instead of the passive {@link #rollbackWindow(Duration)}: the new
         * colour is probed (and the window's checks run) while the old colour stays warm (or, without
         * {@link VerificationWindow#keepOldWarm()}, after it was retired); a failure rolls back. Default none.
         */
        public Builder verify(VerificationWindow v) {
            verification = Arguments.notNull("blueGreen.verify", v);
            return this;
        }

        /** The two colour names. Default {@value BlueGreen#DEFAULT_BLUE} and {@value BlueGreen#DEFAULT_GREEN}. */
        public Builder colours(String first, String second) {
            PlanSupport.name("blueGreen.colours first", first);
            PlanSupport.name("blueGreen.colours second", second);
            if (first.equals(second)) {
                throw new IllegalArgumentException("blueGreen.colours must differ, both were '" + first + "'");
            }
            blue = first;
            green = second;
            return this;
        }

        /**
         * The colour to launch on when nothing serves or the serving targets carry no colour. Default: none: when
         * nothing serves the first colour is used; serving targets without a colour make the plan fail. Must be one of
         * the two colours (checked by {@link #build()}).
         */
        public Builder initialColour(String colour) {
            initialColour = PlanSupport.name("blueGreen.initialColour", colour);
            return this;
        }

        /** How long the old colour stays warm after the switch; zero skips the pause. Default 30 s. */
        public Builder rollbackWindow(Duration d) {
            rollbackWindow = Arguments.nonNegative("blueGreen.rollbackWindow", d);
            return this;
        }

        /** Longest wait for the old targets' connections to close. Default 30 s. */
        public Builder drainTimeout(Duration d) {
            drainTimeout = Arguments.nonNegative("blueGreen.drainTimeout", d);
            return this;
        }

        /** Grace between the polite stop and the forced stop of old targets. Default 10 s. */
        public Builder retireGrace(Duration d) {
            retireGrace = Arguments.nonNegative("blueGreen.retireGrace", d);
            return this;
        }

        /** Preview with the defaults: requests with header {@code X-Preview: 1} reach the new version first. */
        public Builder preview() {
            return preview(DEFAULT_PREVIEW_KEY, DEFAULT_PREVIEW_VALUE);
        }

        /**
         * Preview: before the switch, requests whose {@code key} equals {@code value} go to the new version while all
         * other traffic stays on the old one. Needs a router with {@code rules}. Default: no preview.
         */
        public Builder preview(RequestKey key, String value) {
            Arguments.notNull("blueGreen.preview key", key);
            Arguments.notNull("blueGreen.preview value", value);
            try {
                Rule.match(key, Set.of(value), "placeholder");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("blueGreen.preview value '" + Arguments.printable(value)
                        + "' is invalid: " + e.getMessage(), e);
            }
            previewKey = key;
            previewValue = value;
            return this;
        }

        /** Run the check registered under {@code name} during the preview. Needs {@link #preview()}. */
        public Builder previewCheck(String name) {
            previewCheck = PlanSupport.name("blueGreen.previewCheck", name);
            return this;
        }

        /**
         * Wait at a manual gate during the preview until promoted; rolls back after {@code timeout}. Needs
         * {@link #preview()}.
         */
        public Builder previewGate(String name, Duration timeout) {
            previewGate = PlanSupport.name("blueGreen.previewGate", name);
            previewGateTimeout = Arguments.positive("blueGreen.previewGate timeout", timeout);
            return this;
        }

        /** Run the hook registered under {@code name} just before the switch (repeatable, in order). */
        public Builder beforeSwitch(String hook) {
            beforeSwitch.add(PlanSupport.name("blueGreen.beforeSwitch", hook));
            return this;
        }

        /** Run the hook registered under {@code name} just after the switch (repeatable, in order). */
        public Builder afterSwitch(String hook) {
            afterSwitch.add(PlanSupport.name("blueGreen.afterSwitch", hook));
            return this;
        }

        /** Builds; checks that the initial colour is one of the colours and that preview options have a preview. */
        public BlueGreen build() {
            if (initialColour != null && !initialColour.equals(blue) && !initialColour.equals(green)) {
                throw new IllegalArgumentException("blueGreen.initialColour '" + initialColour + "' is neither '" + blue
                        + "' nor '" + green + "'");
            }
            if (previewKey == null && (previewCheck != null || previewGate != null)) {
                throw new IllegalArgumentException("blueGreen.preview" + (previewCheck != null ? "Check '" + previewCheck
                        : "Gate '" + previewGate) + "' needs preview() to be set");
            }
            return new BlueGreen(this);
        }
    }
}
