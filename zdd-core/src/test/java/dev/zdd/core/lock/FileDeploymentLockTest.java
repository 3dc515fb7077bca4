package dev.zdd.core.lock;

import dev.zdd.api.Clock;
import dev.zdd.core.crash.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileDeploymentLockTest {
    @TempDir
    Path dir;

    private static LockOwner owner(String id) {
        return LockOwner.current(id, Clock.system());
    }

    @Test
    void secondDeploymentInThisProcessIsRefusedNamingTheHolderUntilReleased() {
        FileDeploymentLock lock = FileDeploymentLock.in(dir);
        DeploymentLock.Lease first = lock.tryAcquire("web", owner("d1"));
        LockHeldException e = assertThrows(LockHeldException.class, () -> lock.tryAcquire("web", owner("d2")));
        assertEquals("d1", e.holder().orElseThrow().deploymentId());
        assertTrue(e.getMessage().contains("deployment d1 (pid " + ProcessHandle.current().pid()), e.getMessage());
        assertEquals("web", e.service());
        // another service is independent
        try (DeploymentLock.Lease other = lock.tryAcquire("api", owner("d3"))) {
            assertEquals("d3", other.owner().deploymentId());
        }
        // a second lock object on the same directory sees the same holder (the JVM keeps one OS lock per file)
        assertThrows(LockHeldException.class, () -> FileDeploymentLock.in(dir).tryAcquire("web", owner("d4")));
        first.close();
        first.close(); // idempotent
        try (DeploymentLock.Lease again = lock.tryAcquire("web", owner("d5"))) {
            assertEquals("d5", again.owner().deploymentId());
            assertTrue(again.tookOverFrom().isEmpty(), "a released lock leaves no owner behind");
        }
    }

    @Test
    void aLiveFreshHolderInAnotherProcessRefusesAndAKilledOneIsTakenOver() throws Exception {
        FileDeploymentLock lock = FileDeploymentLock.in(dir);
        try (ChildJvm child = ChildJvm.start(LockHolderMain.class, "hold", dir.toString(), "web", "child-1", "now")) {
            child.awaitLine("HELD", Duration.ofSeconds(30));
            LockHeldException e = assertThrows(LockHeldException.class, () -> lock.tryAcquire("web", owner("d2")));
            LockOwner holder = e.holder().orElseThrow();
            assertEquals("child-1", holder.deploymentId());
            assertEquals(child.pid(), holder.pid());
            assertTrue(e.getMessage().contains("pid " + child.pid()), e.getMessage());
            child.kill(); // SIGKILL: the OS drops its lock, the owner record stays in the file
            try (DeploymentLock.Lease lease = lock.tryAcquire("web", owner("d3"))) {
                assertEquals(child.pid(), lease.tookOverFrom().orElseThrow().pid(), "reports whose stale lock it took over");
            }
        }
    }

    @Test
    void aLiveHolderOnThisHostIsNeverBrokenHoweverOldItsDeployment() throws Exception {
        // regression (issue 11, bug 2): an owner 25 hours into a 48-hour bake gate was declared crashed and broken
        FileDeploymentLock lock = FileDeploymentLock.builder().directory(dir).ttl(Duration.ofMillis(200)).build();
        String since = Instant.now().minus(Duration.ofHours(25)).toString();
        try (ChildJvm child = ChildJvm.start(LockHolderMain.class, "hold", dir.toString(), "web", "baking-1", since)) {
            child.awaitLine("HELD", Duration.ofSeconds(30));
            Thread.sleep(400); // past the parent's ttl too: age and lapsed renewals never break a live local owner
            LockHeldException e = assertThrows(LockHeldException.class, () -> lock.tryAcquire("web", owner("d2")));
            assertEquals("baking-1", e.holder().orElseThrow().deploymentId());
            assertFalse(e instanceof LeaseLostException);
        }
    }

    @Test
    void anOwnerOnAnotherHostThatStoppedRenewingIsBrokenAndItsNextRenewalFails() throws Exception {
        Path renew = dir.resolve("renew-now");
        FileDeploymentLock lock = FileDeploymentLock.builder().directory(dir).ttl(Duration.ofSeconds(5)).build();
        try (ChildJvm child = ChildJvm.start(LockHolderMain.class, "hold", dir.toString(), "web", "remote-1", "now",
                "other-host", "300", renew.toString())) {
            long childToken = Long.parseLong(child.awaitLine("HELD", Duration.ofSeconds(30)).split(" ")[2]);
            Thread.sleep(700); // the remote owner's record lapses (300 ms ttl, never renewed)
            try (DeploymentLock.Lease lease = lock.tryAcquire("web", owner("d2"))) {
                assertEquals("remote-1", lease.tookOverFrom().orElseThrow().deploymentId());
                assertTrue(lease.token() > childToken, "the token grows: " + lease.token() + " after " + childToken);
                Files.createFile(renew);
                String lost = child.awaitOneOf(Duration.ofSeconds(30), "RENEWED", "LOST");
                assertTrue(lost.startsWith("LOST") && lost.contains("deployment d2"), lost);
                lease.renew(); // the new holder renews fine
            }
        }
    }

    @Test
    void tokensGrowAcrossReleasesAndCrashes() throws Exception {
        FileDeploymentLock lock = FileDeploymentLock.in(dir);
        long first;
        try (DeploymentLock.Lease l = lock.tryAcquire("web", owner("d1"))) {
            first = l.token();
            l.renew();
        }
        try (DeploymentLock.Lease l = lock.tryAcquire("web", owner("d2"))) {
            assertEquals(first + 1, l.token());
        }
        try (ChildJvm child = ChildJvm.start(LockHolderMain.class, "hold", dir.toString(), "web", "child-1", "now")) {
            long childToken = Long.parseLong(child.awaitLine("HELD", Duration.ofSeconds(30)).split(" ")[2]);
            assertEquals(first + 2, childToken);
            child.kill();
            try (DeploymentLock.Lease l = lock.tryAcquire("web", owner("d3"))) {
                assertEquals(first + 3, l.token());
            }
        }
        DeploymentLock.Lease closed = lock.tryAcquire("web", owner("d4"));
        closed.close();
        assertThrows(LeaseLostException.class, closed::renew);
    }

    @Test
    void aSecondSpellingOfTheDirectoryIsRefusedAndKeepsTheProcessLock() throws Exception {
        // regression (issue 11, bug 1): through a symlink or a/../a, tryAcquire threw a raw OverlappingFileLockException
        // and leaked a channel whose collection dropped this process's POSIX lock
        Path real = Files.createDirectories(dir.resolve("locks"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        Path dotted = dir.resolve("locks").resolve("..").resolve("locks");
        try (DeploymentLock.Lease held = FileDeploymentLock.in(real).tryAcquire("web", owner("d1"))) {
            for (Path spelling : new Path[] {link, dotted, Path.of(link + "/../link")}) {
                LockHeldException e = assertThrows(LockHeldException.class,
                        () -> FileDeploymentLock.in(spelling).tryAcquire("web", owner("d2")), spelling.toString());
                assertEquals("d1", e.holder().orElseThrow().deploymentId(), e.getMessage());
                assertTrue(e.getMessage().contains("held in this process"), e.getMessage());
            }
            assertEquals(FileDeploymentLock.in(real).file("web"), FileDeploymentLock.in(link).file("web"));
            System.gc();
            System.runFinalization();
            try (ChildJvm child = ChildJvm.start(LockHolderMain.class, "try", link.toString(), "web", "other")) {
                String r = child.awaitOneOf(Duration.ofSeconds(30), "ACQUIRED", "REFUSED");
                assertTrue(r.startsWith("REFUSED") && r.contains("deployment d1"), "the OS lock is still held: " + r);
            }
            held.renew();
        }
    }

    @Test
    void twoProcessesRacingForOneServiceExactlyOneWins() throws Exception {
        Path go = dir.resolve("go");
        try (ChildJvm a = ChildJvm.start(LockHolderMain.class, "race", dir.toString(), "web", "racer-a", go.toString());
             ChildJvm b = ChildJvm.start(LockHolderMain.class, "race", dir.toString(), "web", "racer-b", go.toString())) {
            Files.createFile(go); // both spin on this file, then try at the same moment
            String ra = a.awaitOneOf(Duration.ofSeconds(40), "ACQUIRED", "REFUSED");
            String rb = b.awaitOneOf(Duration.ofSeconds(40), "ACQUIRED", "REFUSED");
            assertTrue(ra.startsWith("ACQUIRED") ^ rb.startsWith("ACQUIRED"), "exactly one wins: a=" + ra + ", b=" + rb);
            String refused = ra.startsWith("REFUSED") ? ra : rb;
            String winner = ra.startsWith("ACQUIRED") ? "racer-a" : "racer-b";
            assertTrue(refused.contains("deployment " + winner + " (pid "), "the loser names the winner: " + refused);
            assertEquals(0, a.awaitExit(Duration.ofSeconds(30)));
            assertEquals(0, b.awaitExit(Duration.ofSeconds(30)));
        }
    }

    @Test
    void badInputIsRejectedNamingTheField() {
        FileDeploymentLock lock = FileDeploymentLock.in(dir);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> lock.tryAcquire("../etc", owner("d1")))
                .getMessage().contains("'../etc'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> lock.tryAcquire("web", null))
                .getMessage().contains("owner"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FileDeploymentLock.builder().ttl(Duration.ZERO))
                .getMessage().contains("lock.ttl"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FileDeploymentLock.builder().build())
                .getMessage().contains("lock.directory"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LockOwner("d;1", 1, "h", Instant.EPOCH))
                .getMessage().contains("lockOwner.deploymentId"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LockOwner("d1", 0, "h", Instant.EPOCH))
                .getMessage().contains("lockOwner.pid"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LockOwner("d1", 1, "h\nx", Instant.EPOCH))
                .getMessage().contains("lockOwner.host"));
    }
}
