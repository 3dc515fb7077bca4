package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentContext;

/**
 * The registered check of an {@link AbTest}: immutable, it only hands the engine a fresh {@link AbRun} per deployment
 * run ({@link #forDeployment(String)}), which keeps that run's values. Thread-safe.
 */
final class AbCheck implements DeploymentCheck {
    private final AbTest test;

    AbCheck(AbTest test) {
        this.test = test;
    }

    @Override
    public DeploymentCheck forDeployment(String deploymentId) {
        return new AbRun(test, deploymentId);
    }

    /** Called only outside an engine: there is no run to collect into, so this says how to use it. */
    @Override
    public CheckResult check(DeploymentContext context) {
        throw new IllegalStateException("a/b test '" + test.name() + "' collects per deployment: register check() with the "
                + "engine, which runs it through forDeployment(id)");
    }

    @Override
    public String toString() {
        return "AbCheck[" + test.name() + "]";
    }
}
