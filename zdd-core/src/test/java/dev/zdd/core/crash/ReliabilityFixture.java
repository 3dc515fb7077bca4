package dev.zdd.core.crash;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.JournalStore;
import dev.zdd.core.testing.FakeLauncher;
import dev.zdd.core.testing.RecordingRouter;
import dev.zdd.core.testing.ScriptedProbe;
import dev.zdd.core.testing.VirtualScheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shared setup of the reliability tests in virtual time: two old targets behind the test kit's recording router, fake
 * launcher and probe, an in-memory journal that can be told to fail (a full disk), an event log. Test helper.
 */
public final class ReliabilityFixture {
    public final VirtualScheduler time;
    public final Target old1 = Target.of("old1", "v1", "10.0.0.1", 8080);
    public final Target old2 = Target.of("old2", "v1", "10.0.0.2", 8080);
    public final RecordingRouter router = RecordingRouter.serving(old1, old2);
    public final Routing before = router.table();
    public final FakeLauncher launcher = new FakeLauncher().adopt(old1, old2);
    public final ScriptedProbe probe = ScriptedProbe.healthy();
    public final MemoryJournal journal = new MemoryJournal();
    public final List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
    public final DeploymentSpec spec = DeploymentSpec.builder("shop", "v2").build();
    public static final ProbePolicy POLICY = ProbePolicy.builder().period(Duration.ofSeconds(1)).timeout(Duration.ofMillis(500))
            .deadline(Duration.ofMinutes(1)).build();

    public ReliabilityFixture() {
        this(VirtualScheduler.DEFAULT_START);
    }

    public ReliabilityFixture(Instant start) {
        time = new VirtualScheduler(start);
    }

    public Engine.Builder builder() {
        return Engine.builder().router(router).launcher(launcher).probe(probe).probePolicy(POLICY).scheduler(time)
                .executor(time.executor()).listener(events::add);
    }

    /** Runs virtual time until the deployment ends (at most a day) and returns its result. */
    public DeploymentResult finish(Deployment d) {
        if (!time.runUntil(() -> d.status().isTerminal(), Duration.ofDays(1))) {
            throw new AssertionError("not terminal: " + d.status());
        }
        if (!time.failures().isEmpty()) {
            throw new AssertionError("scheduler task failures: " + time.failures());
        }
        return d.result().orElseThrow();
    }

    /** launch n1, await it, 50/50, all on n1 with old ones draining, retire old ones: the plan most tests run. */
    public static Plan plan() {
        return new Plan("test", List.of(
                new Step.Launch("n1", "v2", Map.of()),
                new Step.AwaitHealthy(List.of("n1")),
                Step.ShiftTraffic.of("half", List.of(Step.Allocation.active("n1", 5000), Step.Allocation.active("old1", 2500),
                        Step.Allocation.active("old2", 2500))),
                Step.ShiftTraffic.of("all", List.of(Step.Allocation.active("n1", 10000), Step.Allocation.draining("old1"),
                        Step.Allocation.draining("old2"))),
                new Step.Retire(List.of("old1", "old2"), Duration.ZERO)));
    }

    /** A strategy moving everything from what serves now to one new target "n-<version>", then retiring the old ones. */
    public static Strategy replaceAll() {
        return ctx -> {
            String id = "n-" + ctx.spec().version();
            List<Step.Allocation> all = new ArrayList<>();
            all.add(Step.Allocation.active(id, 10000));
            List<String> old = new ArrayList<>();
            for (Target t : ctx.current().targets()) {
                all.add(Step.Allocation.draining(t.id()));
                old.add(t.id());
            }
            return new Plan("replace-all", List.of(new Step.Launch(id, ctx.spec().version(), Map.of()),
                    new Step.AwaitHealthy(List.of(id)), Step.ShiftTraffic.of("all", all),
                    new Step.Retire(old, Duration.ZERO)));
        };
    }

    public List<DeploymentEvent> events(DeploymentEvent.Kind kind) {
        synchronized (events) {
            return events.stream().filter(e -> e.kind() == kind).toList();
        }
    }

    /** The events of one record type, cast. */
    public <T extends DeploymentEvent> List<T> events(Class<T> type) {
        synchronized (events) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /**
     * A {@link JournalStore} in memory that keeps every record written and fails, as a full disk would, on the writes
     * it is told to. Thread-safe.
     */
    public static final class MemoryJournal implements JournalStore {
        private final Map<String, JournalRecord> latest = new ConcurrentHashMap<>();
        private final List<JournalRecord> writes = Collections.synchronizedList(new ArrayList<>());
        private volatile int failFrom = Integer.MAX_VALUE;
        private volatile int failUntil = Integer.MAX_VALUE;
        private int calls;

        /** Writes number {@code from} (counting from 1) and all later ones fail. */
        public MemoryJournal failFrom(int from) {
            failFrom = from;
            failUntil = Integer.MAX_VALUE;
            return this;
        }

        /** Only write number {@code n} fails. */
        public MemoryJournal failOnly(int n) {
            failFrom = n;
            failUntil = n;
            return this;
        }

        @Override
        public synchronized void write(JournalRecord record) {
            calls++;
            if (calls >= failFrom && calls <= failUntil) {
                throw new dev.zdd.core.journal.JournalException("cannot write journal mem:" + record.service()
                        + ": No space left on device");
            }
            writes.add(record);
            latest.put(record.service(), record);
        }

        @Override
        public Optional<JournalRecord> read(String service) {
            return Optional.ofNullable(latest.get(service));
        }

        /** Records written so far, in order. */
        public List<JournalRecord> writes() {
            synchronized (writes) {
                return List.copyOf(writes);
            }
        }

        /** Write calls so far, failed ones included. */
        public synchronized int calls() {
            return calls;
        }

        /** Puts a record as if an earlier process had written it. */
        public void put(JournalRecord r) {
            latest.put(r.service(), r);
        }
    }
}
