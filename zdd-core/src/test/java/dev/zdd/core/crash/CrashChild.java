package dev.zdd.core.crash;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.StepOutcome;
import dev.zdd.core.Engine;
import dev.zdd.core.journal.RecoveryMode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVM of the crash test: runs {@link CrashScenario} against a {@link RouterFront} and prints
 * {@code POINT <n> <what>} at every crash point (after each step starts and ends, after each routing change is
 * journaled, and right after each router, launcher call returns, before the engine journals it). At point
 * {@code killAt} it prints {@code KILLME <n>} and blocks, holding the engine right there, until the parent kills it
 * with SIGKILL. Args: {@code <frontUrl> <dir> <killAt> [<goFile>]}. Prints {@code DONE <status>} when not killed. With
 * {@code goFile}, it first waits (bounded) for that file, so that two children start at the same moment, holds its first
 * step one second, and prints {@code REFUSED <message>} when the lock is held by the other.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String front = args[0];
        Path dir = Path.of(args[1]);
        int killAt = Integer.parseInt(args[2]);
        AtomicInteger n = new AtomicInteger();
        Path go = args.length > 3 ? Path.of(args[3]) : null;
        java.util.function.Consumer<String> point = what -> {
            int k = n.getAndIncrement();
            synchronized (System.out) {
                System.out.println("POINT " + k + " " + what.replace('\n', ' '));
                if (k == killAt) {
                    System.out.println("KILLME " + k);
                }
                System.out.flush();
            }
            if (go != null && k == 0) {
                try {
                    Thread.sleep(1_000); // keep the lock while the other child tries
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (k == killAt) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.exit(3); // never reached when the parent kills as planned
            }
        };
        Engine engine = CrashScenario.engine(front, dir, RecoveryMode.ROLL_BACK, point, (DeploymentEvent e) -> {
            // the crash points: each step start, each step success, each routing applied, the rollback start
            if (e instanceof DeploymentEvent.StepStarted s) {
                point.accept("STEP_STARTED " + s.index() + " " + s.step());
            } else if (e instanceof DeploymentEvent.StepEnded s && s.outcome() == StepOutcome.Outcome.SUCCEEDED) {
                point.accept("STEP_SUCCEEDED " + s.index() + " " + s.step());
            } else if (e instanceof DeploymentEvent.RoutingApplied s) {
                point.accept("ROUTING_APPLIED " + s.index() + " " + s.label());
            } else if (e instanceof DeploymentEvent.RollbackStarted) {
                point.accept("ROLLBACK_STARTED -1 ");
            }
        });
        if (go != null) {
            long end = System.nanoTime() + 30_000_000_000L;
            while (!java.nio.file.Files.exists(go) && System.nanoTime() < end) {
                Thread.sleep(1); // a spin would take a whole core of this 2-core machine from the other JVM
            }
        }
        Deployment d;
        try {
            d = engine.start(CrashScenario.SPEC, CrashScenario.PLAN);
        } catch (dev.zdd.core.lock.LockHeldException e) {
            System.out.println("REFUSED " + e.getMessage());
            System.out.flush();
            System.exit(0);
            return;
        }
        DeploymentResult r = d.await(Duration.ofSeconds(60));
        System.out.println("DONE " + r.status() + " " + r.reason().replace('\n', ' '));
        System.out.flush();
        System.exit(0);
    }
}
