package dev.zdd.examples.restarts;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.launch.ProcessLauncher;
import dev.zdd.nginx.testing.TestNginx;
import dev.zdd.haproxy.testing.LocalHaproxy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * "Every deploy is a new process", for real: a real HAProxy (dynamic servers, no configured server) or nginx, busybox httpd
 * backends started by {@link ProcessLauncher}, and every deploy and every recovery in a NEW child JVM
 * ({@link DeployerMain}). First {@code deploys} blue-green deployments alternating versions v1/v2, each checked (colours
 * alternate, exactly the new instances run, every request answered 200 by the new version); then {@code trials} crash
 * trials: a deploy child gets SIGKILL at a random moment, a recovery child runs, and the trial converges when one
 * version serves, 40 requests are all answered 200 by it, the launcher's inventory holds exactly the serving instances
 * and no backend process of the loop runs outside them. Stops everything it started. Not thread-safe.
 */
public final class RestartLoop implements AutoCloseable {
    /** The service deployed. */
    public static final String SERVICE = "web";

    /** The proxy in front. */
    public enum Proxy {
        /** A real HAProxy, dynamic servers, runtime API. */
        HAPROXY,
        /** A real nginx, include file and reload. */
        NGINX
    }

    private final Proxy proxy;
    private final Path proxyExe;
    private final Path busybox;
    private final Path dir;
    private final Random random;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private LocalHaproxy haproxy;
    private TestNginx nginx;
    private String routerSpec;
    private int portMin;
    private int portMax;
    private int deployCount;
    private String serving = null;

    /** A loop in {@code dir} (created), with a seeded random source for the kill moments. */
    public RestartLoop(Proxy proxy, Path proxyExe, Path busybox, Path dir, long seed) {
        this.proxy = proxy;
        this.proxyExe = proxyExe;
        this.busybox = busybox;
        this.dir = dir;
        this.random = new Random(seed);
    }

    /** Starts HAProxy and writes the two versions' content. */
    public RestartLoop start() throws IOException {
        for (String v : List.of("v1", "v2")) {
            Path www = dir.resolve("www").resolve(v);
            Files.createDirectories(www);
            Files.writeString(www.resolve("index.html"), v + "\n");
            Files.writeString(www.resolve("health"), "ok\n");
        }
        if (proxy == Proxy.HAPROXY) {
            haproxy = LocalHaproxy.builder(proxyExe, dir.resolve("haproxy")).start();
            routerSpec = "haproxy," + haproxy.socket();
        } else {
            nginx = TestNginx.create(proxyExe, "web");
            nginx.start(Routing.EMPTY);
            routerSpec = "nginx," + proxyExe + "," + nginx.dir() + ",web," + nginx.statusEndpoint().port();
        }
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            // a port range of 40 starting at a free port; ports found taken are skipped by the launcher
            portMin = Math.min(s.getLocalPort(), 65000);
        }
        portMax = portMin + 40;
        return this;
    }

    /** HAProxy's frontend port (for load). */
    public int frontendPort() {
        return haproxy != null ? haproxy.frontendPort() : nginx.port();
    }

    /** One deployment in a new JVM; returns what it printed last and checks the outcome when {@code check}. */
    public Map<String, Object> deploy() throws Exception {
        String version = deployCount++ % 2 == 0 ? "v1" : "v2";
        String before = colour();
        long t0 = System.nanoTime();
        Child c = Child.start(args("deploy", version));
        String done = c.await("DONE", Duration.ofSeconds(150));
        c.awaitExit();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("result", done);
        out.put("millis", (System.nanoTime() - t0) / 1_000_000);
        out.put("colourBefore", before);
        out.put("colourAfter", colour());
        out.put("check", check(version));
        if (done.startsWith("DONE SUCCEEDED")) {
            serving = version;
        }
        return out;
    }

    /** One crash trial: a deploy killed after a random delay, then a recovery in a new JVM; the check of the outcome. */
    public Map<String, Object> crashTrial(long maxKillMillis) throws Exception {
        String version = deployCount++ % 2 == 0 ? "v1" : "v2";
        Child c = Child.start(args("deploy", version));
        c.await("READY", Duration.ofSeconds(60));
        long kill = (long) (random.nextDouble() * maxKillMillis);
        String finished = c.awaitFor(Duration.ofMillis(kill), "DONE");
        c.kill();
        Child r = Child.start(args("recover", version));
        r.await("DONE", Duration.ofSeconds(150));
        r.awaitExit();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("killAfterMillis", kill);
        out.put("deployFinishedBeforeKill", finished != null);
        out.put("recovery", r.lines.stream().filter(l -> l.startsWith("RECOVERED")).findFirst().orElse("?"));
        out.put("cleaned", r.lines.stream().filter(l -> l.startsWith("CLEANED")).map(l -> l.substring(8)).toList());
        Map<String, Object> check = check(null);
        out.put("check", check);
        return out;
    }

    /**
     * What runs and serves now: versions answering 40 requests, non-200 answers, serving ids, live recorded ids,
     * orphans (recorded but not serving, plus backend processes of this loop that no record lists; the latter are
     * killed so that the next trial starts clean), and {@code converged}.
     */
    public Map<String, Object> check(String expectVersion) throws Exception {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            answers.merge(get(), 1, Integer::sum);
        }
        Routing now = DeployerMain.router(routerSpec, dir.resolve("state")).current();
        Set<String> servingIds = new TreeSet<>();
        for (Route r : now.routes()) {
            if (r.serving()) {
                servingIds.add(r.target().id());
            }
        }
        ProcessLauncher launcher = launcher();
        Set<String> live = new TreeSet<>();
        Set<Long> livePids = new java.util.HashSet<>();
        for (Target t : launcher.discover(SERVICE)) {
            live.add(t.id());
            livePids.add(Long.parseLong(t.attribute(ProcessLauncher.PID_ATTRIBUTE)));
        }
        List<String> orphans = new ArrayList<>();
        for (String id : live) {
            if (!servingIds.contains(id)) {
                orphans.add(id);
            }
        }
        String marker = dir.resolve("www").toString();
        ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker))
                .orElse(false)).filter(p -> !livePids.contains(p.pid())).forEach(p -> {
                    orphans.add("unrecorded pid " + p.pid());
                    p.destroyForcibly();
                });
        boolean oneVersion = answers.size() == 1 && !answers.keySet().iterator().next().startsWith("status");
        boolean converged = oneVersion && orphans.isEmpty() && live.equals(servingIds)
                && (expectVersion == null || answers.containsKey(expectVersion));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("answers", answers);
        out.put("serving", servingIds);
        out.put("live", live);
        out.put("orphans", orphans);
        out.put("converged", converged);
        return out;
    }

    /** The colour the serving targets carry, as a fresh router reads it ({@code none} when nothing serves). */
    public String colour() {
        Set<String> colours = new TreeSet<>();
        for (Route r : DeployerMain.router(routerSpec, dir.resolve("state")).current().routes()) {
            if (r.serving()) {
                colours.add(String.valueOf(r.target().attribute(Target.COLOUR)));
            }
        }
        return colours.isEmpty() ? "none" : String.join(",", colours);
    }

    private ProcessLauncher launcher() {
        return DeployerMain.launcher(dir.resolve("state"), dir.resolve("www"), busybox.toString(), portMin, portMax);
    }

    private String get() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + frontendPort() + "/")
                    .toURL().openConnection();
            c.setConnectTimeout(5000);
            c.setRequestProperty("Connection", "close"); // nginx's reloads close idle keep-alive connections
            c.setReadTimeout(10000);
            int code = c.getResponseCode();
            if (code != 200) {
                return "status " + code;
            }
            try (var in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        } catch (IOException e) {
            return "status " + e.getClass().getSimpleName();
        }
    }

    private List<String> args(String mode, String version) {
        return List.of(mode, SERVICE, version, routerSpec, dir.resolve("state").toString(),
                dir.resolve("www").toString(), busybox.toString(), String.valueOf(portMin), String.valueOf(portMax));
    }

    /** Retires every recorded instance and kills any backend process of this loop, then stops HAProxy. */
    @Override
    public void close() {
        try {
            ProcessLauncher l = launcher();
            for (Target t : l.discover(SERVICE)) {
                try {
                    l.retire(t, Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    log.add("cleanup: " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            log.add("cleanup: " + e.getMessage());
        }
        String marker = dir.resolve("www").toString();
        ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker))
                .orElse(false)).forEach(ProcessHandle::destroyForcibly);
        if (haproxy != null) {
            haproxy.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    /** Backend processes of this loop still running (for a final check after {@link #close()}). */
    public long backendProcesses() {
        String marker = dir.resolve("www").toString();
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(p -> p.info().arguments()
                .map(a -> String.join(" ", a).contains(marker)).orElse(false)).count();
    }

    /** A child JVM running {@link DeployerMain}; stdout lines collected; stderr to a file. */
    private static final class Child {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final java.util.concurrent.BlockingQueue<String> queue = new java.util.concurrent.LinkedBlockingQueue<>();

        private Child(Process p) {
            this.process = p;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        queue.add(line);
                    }
                } catch (IOException e) {
                    // gone
                }
                queue.add("<EOF>");
            }, "deployer-stdout-" + p.pid());
            t.setDaemon(true);
            t.start();
        }

        static Child start(List<String> args) throws IOException {
            String cp = System.getProperty("surefire.test.class.path");
            if (cp == null || cp.isBlank()) {
                cp = System.getProperty("java.class.path");
            }
            List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin"
                    + File.separator + "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx96m",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", cp, DeployerMain.class.getName()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            return new Child(pb.start());
        }

        String await(String prefix, Duration timeout) throws InterruptedException {
            String line = awaitFor(timeout, prefix);
            if (line == null) {
                process.destroyForcibly();
                throw new IllegalStateException("deployer child " + process.pid() + " did not print " + prefix + " within "
                        + timeout + "; printed " + lines);
            }
            return line;
        }

        /** The first line starting with {@code prefix} within {@code timeout}, or null. */
        String awaitFor(Duration timeout, String prefix) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = end - System.nanoTime();
                String line = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    return null;
                }
                if (line.equals("<EOF>")) {
                    queue.add(line);
                    return null;
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }

        void awaitExit() throws InterruptedException {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
