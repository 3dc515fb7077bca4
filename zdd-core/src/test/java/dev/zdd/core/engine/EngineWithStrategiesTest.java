package dev.zdd.core.engine;

import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Strategy;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.strategy.Rolling;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shipped strategies' plans pass the engine's validation and run to the end against the test kit. */
class EngineWithStrategiesTest {
    private DeploymentResult deploy(Fixture f, Strategy strategy) {
        DeploymentResult r = f.finish(f.engine().start(f.spec, strategy));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertEquals(Set.of("v2"), f.router.table().servingVersions());
        return r;
    }

    @Test
    void blueGreenDefaults() {
        Fixture f = new Fixture();
        deploy(f, BlueGreen.builder().initialColour("blue").build());
    }

    @Test
    void canaryWithPauses() {
        Fixture f = new Fixture();
        DeploymentResult r = deploy(f, Canary.builder().weight(10).pause(Duration.ofMinutes(5)).weight(50)
                .pause(Duration.ofMinutes(5)).build());
        assertEquals(List.of(), r.leftovers());
    }

    @Test
    void rollingDefaults() {
        Fixture f = new Fixture();
        deploy(f, Rolling.builder().build());
    }
}
