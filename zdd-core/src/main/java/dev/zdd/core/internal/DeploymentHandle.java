package dev.zdd.core.internal;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The plumbing of the engine's deployment handle ({@link Run}): the result once known, the completion, {@link #await}
 * and {@link #toString}. Subclasses say how they end through {@link #recordResult} and
 * {@link #complete}. Thread-safe. Internal.
 */
public abstract class DeploymentHandle implements Deployment {
    private final CompletableFuture<DeploymentResult> completion = new CompletableFuture<>();
    private volatile DeploymentResult result;

    /** Makes {@code r} visible through {@link #result()} (before the status turns terminal). */
    protected final void recordResult(DeploymentResult r) {
        result = r;
    }

    /** Records {@code r} and completes {@link #completion()} with it; later calls change nothing. */
    protected final void complete(DeploymentResult r) {
        if (result == null) {
            result = r;
        }
        completion.complete(r);
    }

    /** Completes {@link #completion()} exceptionally (the deployment it forwards to ended abnormally). */
    protected final void completeExceptionally(Throwable t) {
        completion.completeExceptionally(t);
    }

    @Override
    public final CompletionStage<DeploymentResult> completion() {
        return completion.minimalCompletionStage();
    }

    @Override
    public final Optional<DeploymentResult> result() {
        return Optional.ofNullable(result);
    }

    @Override
    public final DeploymentResult await(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return completion.get(SystemScheduler.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("deployment " + id() + " ended abnormally: " + Texts.message(e.getCause()), e);
        } catch (TimeoutException e) {
            TimeoutException t = new TimeoutException("deployment " + id() + " is still " + status() + " after "
                    + Texts.duration(timeout));
            t.initCause(e);
            throw t;
        }
    }

    @Override
    public String toString() {
        return "Deployment[" + id() + " " + status() + "]";
    }
}
