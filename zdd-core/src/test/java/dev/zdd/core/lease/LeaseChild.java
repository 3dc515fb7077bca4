package dev.zdd.core.lease;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.Step;
import dev.zdd.core.Engine;
import dev.zdd.core.crash.FrontClients;
import dev.zdd.core.jdbc.JdbcDeploymentLock;
import dev.zdd.core.jdbc.JdbcJournalStore;
import dev.zdd.core.journal.FileJournalStore;
import dev.zdd.core.journal.JournalStore;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.FileDeploymentLock;
import dev.zdd.core.lock.LockHeldException;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link LeaseProcessesIT}: one deployer of service {@code shop} with a lease and a journal in a shared
 * store, against a {@link dev.zdd.core.crash.RouterFront} that fences router applies by token. Args:
 * {@code deploy|recover <frontUrl> jdbc:<url>|file:<dir> <name> <ttlMillis> <waitMillis> <goFile|->}.
 * {@code deploy}: launches {@code g-<name>} (2.0), shifts half of the traffic to it, waits {@code waitMillis}, shifts all,
 * retires {@code b1}. {@code recover}: recovers the interrupted deployment, retrying while the lease is held (printing
 * {@code WAITING <refusal>} once), for at most 60 s. Prints {@code STEP <i>}, {@code STARTED <id>},
 * {@code REFUSED <message>}, {@code DONE <status> <reason>}.
 */
public final class LeaseChild {
    private LeaseChild() {
    }

    static void print(String line) {
        synchronized (System.out) {
            System.out.println(line.replace('\n', ' '));
            System.out.flush();
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String store = args[2];
        String name = args[3];
        Duration ttl = Duration.ofMillis(Long.parseLong(args[4]));
        Duration wait = Duration.ofMillis(Long.parseLong(args[5]));
        DeploymentLock lock;
        JournalStore journal;
        if (store.startsWith("jdbc:")) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(store);
            lock = JdbcDeploymentLock.builder().dataSource(ds).ttl(ttl).queryTimeout(Duration.ofSeconds(1)).build();
            journal = JdbcJournalStore.on(ds, Duration.ofSeconds(1));
        } else {
            Path dir = Path.of(store.substring("file:".length()));
            lock = FileDeploymentLock.builder().directory(dir.resolve("locks")).ttl(ttl).build();
            journal = FileJournalStore.in(dir.resolve("journal"));
        }
        FrontClients front = new FrontClients(args[1]);
        Engine engine = Engine.builder().router(front.fencedRouter()).launcher(front.launcher())
                .stepDeadline(Duration.ofSeconds(5)).journal(journal).lock(lock)
                .listener(e -> {
                    if (e instanceof DeploymentEvent.StepStarted s) {
                        print("STEP " + s.index());
                    }
                }).build();
        if (!args[6].equals("-")) {
            Path go = Path.of(args[6]);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(go) && System.nanoTime() < end) {
                Thread.sleep(1); // a spin would take a whole core of this 2-core machine from the other JVM
            }
        }
        Deployment d;
        if (mode.equals("deploy")) {
            try {
                d = engine.start(DeploymentSpec.builder("shop", "2.0").build(), plan(name, wait));
            } catch (LockHeldException e) {
                print("REFUSED " + e.getMessage());
                return;
            }
        } else {
            d = recover(engine);
            if (d == null) {
                print("NOTHING");
                return;
            }
        }
        print("STARTED " + d.id());
        DeploymentResult r = d.completion().toCompletableFuture().get(120, TimeUnit.SECONDS);
        print("DONE " + r.status() + " " + r.reason());
        System.exit(0);
    }

    private static Deployment recover(Engine engine) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean told = false;
        while (true) {
            try {
                Optional<Deployment> d = engine.recover("shop");
                return d.orElse(null);
            } catch (LockHeldException e) {
                if (!told) {
                    print("WAITING " + e.getMessage());
                    told = true;
                }
                if (System.nanoTime() > end) {
                    print("REFUSED " + e.getMessage());
                    System.exit(2);
                }
                Thread.sleep(100);
            }
        }
    }

    static Plan plan(String name, Duration wait) {
        String g = "g-" + name;
        return new Plan("lease-test", List.of(
                new Step.Launch(g, "2.0", Map.of()),
                Step.ShiftTraffic.of("half", List.of(Step.Allocation.active(g, 5000), Step.Allocation.active("b1", 5000))),
                new Step.Pause(wait),
                Step.ShiftTraffic.of("all", List.of(Step.Allocation.active(g, 10000), Step.Allocation.draining("b1"))),
                new Step.Retire(List.of("b1"), Duration.ZERO)));
    }
}
