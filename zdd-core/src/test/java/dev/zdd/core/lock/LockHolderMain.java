package dev.zdd.core.lock;

import dev.zdd.api.Clock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Child-JVM program for lock tests.
 * <ul>
 *   <li>{@code hold <dir> <service> <id> <since|now> [host ttlMillis renewFile]}: takes the lock (as an owner on
 *       {@code host}, with a lock of that ttl), prints {@code HELD <pid> <token>}, keeps it up to 60 s (until killed);
 *       when {@code renewFile} appears, renews once and prints {@code RENEWED} or {@code LOST <message>}.</li>
 *   <li>{@code race <dir> <service> <id> <goFile>}: waits (bounded) for {@code goFile} to exist, tries the lock once,
 *       prints {@code ACQUIRED} or {@code REFUSED <message>}, holds 3 s, exits.</li>
 *   <li>{@code try <dir> <service> <id>}: tries the lock once, prints {@code ACQUIRED <token>} or
 *       {@code REFUSED <message>}, releases and exits.</li>
 * </ul>
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        String service = args[2];
        String id = args[3];
        if (args[0].equals("hold")) {
            FileDeploymentLock.Builder b = FileDeploymentLock.builder().directory(Path.of(args[1]));
            String host = LockOwner.localHost();
            Path renewFile = null;
            if (args.length > 5) {
                host = args[5];
                b.ttl(Duration.ofMillis(Long.parseLong(args[6])));
                renewFile = Path.of(args[7]);
            }
            Instant since = args[4].equals("now") ? Instant.now() : Instant.parse(args[4]);
            LockOwner owner = new LockOwner(id, ProcessHandle.current().pid(), host, since);
            DeploymentLock.Lease lease = b.build().tryAcquire(service, owner);
            System.out.println("HELD " + ProcessHandle.current().pid() + " " + lease.token());
            System.out.flush();
            long end = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < end) {
                if (renewFile != null && Files.exists(renewFile)) {
                    try {
                        lease.renew();
                        System.out.println("RENEWED");
                    } catch (LeaseLostException e) {
                        System.out.println("LOST " + e.getMessage());
                    }
                    System.out.flush();
                    renewFile = null;
                }
                Thread.sleep(20);
            }
            lease.close();
            return;
        }
        FileDeploymentLock lock = FileDeploymentLock.in(Path.of(args[1]));
        if (args[0].equals("try")) {
            try (DeploymentLock.Lease lease = lock.tryAcquire(service, LockOwner.current(id, Clock.system()))) {
                System.out.println("ACQUIRED " + lease.token());
            } catch (LockHeldException e) {
                System.out.println("REFUSED " + e.getMessage());
            }
            System.out.flush();
            return;
        }
        Path go = Path.of(args[4]);
        long end = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(go) && System.nanoTime() < end) {
            Thread.sleep(1); // a spin would take a whole core of this 2-core machine from the other JVM
        }
        System.out.println("READY");
        try (DeploymentLock.Lease lease = lock.tryAcquire(service, LockOwner.current(id, Clock.system()))) {
            System.out.println("ACQUIRED " + lease.owner().deploymentId());
            System.out.flush();
            Thread.sleep(3_000);
        } catch (LockHeldException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
        System.out.flush();
    }
}
