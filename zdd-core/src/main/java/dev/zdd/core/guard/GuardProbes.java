package dev.zdd.core.guard;

import dev.zdd.api.Cancellable;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Scheduler;
import dev.zdd.api.Target;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One probing round of the guard: every target probed on the executor, each bounded by the policy's timeout through the
 * scheduler (a slower answer counts as UNHEALTHY "timed out"). Stateless; thread-safe. Internal.
 */
final class GuardProbes {
    private GuardProbes() {
    }

    static CompletableFuture<Map<Target, HealthResult>> probeAll(Scheduler scheduler, Executor executor, HealthProbe probe,
                                                                ProbePolicy policy, List<Target> targets) {
        Map<Target, CompletableFuture<HealthResult>> futures = new LinkedHashMap<>();
        for (Target t : targets) {
            CompletableFuture<HealthResult> f = new CompletableFuture<>();
            Cancellable timer = scheduler.schedule(policy.timeout(),
                    () -> f.complete(HealthResult.unhealthy("timed out after " + policy.timeout().toMillis() + " ms")));
            executor.execute(() -> {
                try {
                    HealthResult r = probe.check(t, policy.timeout());
                    f.complete(r == null ? HealthResult.unhealthy("probe answered null") : r);
                } catch (Exception e) {
                    f.complete(HealthResult.unhealthy(String.valueOf(e.getMessage())));
                } finally {
                    timer.cancel();
                }
            });
            futures.put(t, f);
        }
        return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            Map<Target, HealthResult> out = new LinkedHashMap<>();
            futures.forEach((t, f) -> out.put(t, f.join()));
            return out;
        });
    }
}
