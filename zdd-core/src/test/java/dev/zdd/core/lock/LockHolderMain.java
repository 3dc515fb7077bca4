package dev.zdd.core.lock;

import dev.zdd.api.Clock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Child-JVM program for lock tests. {@code hold <dir> <service> <id> <since|now>}: takes the lock, prints
 * {@code HELD <pid>}, keeps it up to 60 s (until killed). {@code race <dir> <service> <id> <goFile>}: waits (bounded) for
 * {@code goFile} to exist, tries the lock once, prints {@code ACQUIRED} or {@code REFUSED <message>}, holds 3 s, exits.
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        FileDeploymentLock lock = FileDeploymentLock.in(Path.of(args[1]));
        String service = args[2];
        String id = args[3];
        if (args[0].equals("hold")) {
            Instant since = args[4].equals("now") ? Instant.now() : Instant.parse(args[4]);
            LockOwner owner = new LockOwner(id, ProcessHandle.current().pid(), LockOwner.localHost(), since);
            DeploymentLock.Lease lease = lock.tryAcquire(service, owner);
            System.out.println("HELD " + ProcessHandle.current().pid());
            System.out.flush();
            Thread.sleep(60_000);
            lease.close();
            return;
        }
        Path go = Path.of(args[4]);
        long end = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(go) && System.nanoTime() < end) {
            Thread.onSpinWait();
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
