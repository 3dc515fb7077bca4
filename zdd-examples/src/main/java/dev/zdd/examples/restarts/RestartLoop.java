package dev.zdd.examples.restarts;

import dev.zdd.api.Endpoint;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TargetInventory;
import dev.zdd.api.TargetLauncher;
import dev.zdd.core.launch.ProcessLauncher;
import dev.zdd.core.router.HealthCheckFileRouter;
import dev.zdd.docker.ContainerSummary;
import dev.zdd.docker.DockerClient;
import dev.zdd.docker.DockerLauncher;
import dev.zdd.docker.testing.TestImage;
import dev.zdd.haproxy.testing.LocalHaproxy;
import dev.zdd.nginx.testing.TestNginx;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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

/**
 * "Every deploy is a new process", for real: a real proxy in front, backends started by a real launcher, and every
 * deploy and every recovery in a NEW child JVM ({@link DeployerMain}). The {@link Proxy} says which router the deployers
 * use; the backends are busybox httpd processes ({@link ProcessLauncher}) or, after {@link #docker(String)}, containers
 * of zdd's test image ({@link DockerLauncher}). First blue-green deployments alternating versions v1/v2, each checked
 * (colours alternate, exactly the new instances run, every request answered 200 by the new version); then crash
 * trials: a deploy child gets SIGKILL at a random moment, a recovery child runs, and the trial converges when one
 * version serves, 40 requests are all answered 200 by it, the launcher's inventory holds exactly the serving instances,
 * no backend process (or container) of the loop runs outside them, and the recovery did not end FAILED. Stops
 * everything it started. Not thread-safe.
 */
public final class RestartLoop implements AutoCloseable {
    /** The service deployed with process backends. */
    public static final String SERVICE = "web";

    /** The router the deployers use, and the proxy in front. */
    public enum Proxy {
        /** A real HAProxy, dynamic servers added and deleted through the runtime API. */
        HAPROXY,
        /** A real HAProxy whose four servers are declared in haproxy.cfg; zdd switches them through the runtime API. */
        HAPROXY_CONFIGURED,
        /** A real nginx, include file and reload. */
        NGINX,
        /**
         * {@link HealthCheckFileRouter}: each target serves a health-check file that a real HAProxy (four configured
         * servers, {@code option httpchk}, 100 ms checks) polls; zdd renames the files.
         */
        HEALTH_FILES
    }

    private final Proxy proxy;
    private final Path proxyExe;
    private final Path busybox;
    private final Path dir;
    private final Random random;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private String service = SERVICE;
    private String dockerHost;
    private DockerClient docker;
    private LocalHaproxy haproxy;
    private TestNginx nginx;
    private String routerSpec;
    private String launcherSpec;
    private TargetLauncher inventory;
    private int deployCount;
    private long containersLeft;

    /** A loop in {@code dir} (created), with a seeded random source for the kill moments. */
    public RestartLoop(Proxy proxy, Path proxyExe, Path busybox, Path dir, long seed) {
        this.proxy = proxy;
        this.proxyExe = proxyExe;
        this.busybox = busybox;
        this.dir = dir;
        this.random = new Random(seed);
    }

    /**
     * Backends are containers of zdd's test image on the daemon at {@code host} (images {@code zdd-test:v1} and
     * {@code v2} are made by {@link #start()}), for a service named uniquely for this loop. Only with {@link Proxy#HAPROXY}.
     */
    public RestartLoop docker(String host) {
        if (proxy != Proxy.HAPROXY) {
            throw new IllegalArgumentException("docker backends need Proxy.HAPROXY (dynamic servers), not " + proxy);
        }
        dockerHost = host;
        service = "rl" + Long.toHexString(random.nextLong() & 0xffffffL);
        return this;
    }

    /** Starts the proxy and writes the two versions' content (or makes their images). */
    public RestartLoop start() throws IOException {
        Path www = dir.resolve("www");
        for (String v : List.of("v1", "v2")) {
            Files.createDirectories(www.resolve(v));
            Files.writeString(www.resolve(v).resolve("index.html"), v + "\n");
            Files.writeString(www.resolve(v).resolve("health"), "ok\n");
        }
        // dynamic routers: a range of 40 from a free port (taken ports are skipped); configured ones: exactly the 4 slots
        boolean configured = proxy == Proxy.HAPROXY_CONFIGURED || proxy == Proxy.HEALTH_FILES;
        int firstPort = freePorts(configured ? 4 : 1);
        int lastPort = Math.min(65535, firstPort + (configured ? 3 : 40));
        List<Target> slots = DeployerMain.slots(service, firstPort);
        switch (proxy) {
            case HAPROXY -> haproxy = LocalHaproxy.builder(proxyExe, dir.resolve("haproxy")).start();
            case HAPROXY_CONFIGURED -> haproxy = withServers(LocalHaproxy.builder(proxyExe, dir.resolve("haproxy")), slots,
                    false).start();
            case HEALTH_FILES -> {
                for (Target t : slots) {
                    Path site = Files.createDirectories(www.resolve("sites").resolve(t.id()));
                    Files.writeString(site.resolve(DeployerMain.LB_FILE + HealthCheckFileRouter.DEFAULT_DISABLED_SUFFIX), "ok\n");
                }
                haproxy = withServers(LocalHaproxy.builder(proxyExe, dir.resolve("haproxy")).backendLines(
                        "    option httpchk GET /" + DeployerMain.LB_FILE + "\n"
                                // without "timeout check" HAProxy bounds a check by "inter" (100 ms): on a loaded
                                // machine one slow answer then took a serving target down ("fall 1"), 503 for all
                                + "    timeout check 2s\n"
                                + "    default-server check inter 100ms fall 2 rise 1\n"), slots, true).start();
            }
            case NGINX -> {
                nginx = TestNginx.create(proxyExe, "web");
                nginx.start(Routing.EMPTY);
            }
        }
        routerSpec = switch (proxy) {
            case HAPROXY -> "haproxy," + haproxy.socket();
            case HAPROXY_CONFIGURED -> "haproxy-configured," + haproxy.socket() + "," + firstPort;
            case HEALTH_FILES -> "files," + www.resolve("sites") + "," + firstPort;
            case NGINX -> "nginx," + proxyExe + "," + nginx.dir() + ",web," + nginx.statusEndpoint().port();
        };
        if (dockerHost != null) {
            docker = DockerClient.connect(dockerHost);
            for (String v : List.of("v1", "v2")) {
                TestImage.ensure(docker, TestImage.DEFAULT_REPOSITORY, v, TestImage.Behaviour.HEALTHY);
            }
            launcherSpec = "docker," + dockerHost;
        } else {
            launcherSpec = (proxy == Proxy.HEALTH_FILES ? "process-sites," : "process,") + busybox + "," + www + ","
                    + firstPort + "," + lastPort;
        }
        if (proxy == Proxy.HEALTH_FILES) {
            // installing the router: record "nothing is on" once, so that a deployer's fresh router reads an empty table
            // rather than every configured target as DISABLED (whose ids blue-green would then avoid)
            DeployerMain.router(routerSpec, dir.resolve("state"), service).apply(Routing.EMPTY);
        }
        inventory = docker != null ? DeployerMain.dockerLauncher(docker)
                : DeployerMain.launcher(launcherSpec, dir.resolve("state"));
        return this;
    }

    private static LocalHaproxy.Builder withServers(LocalHaproxy.Builder b, List<Target> slots, boolean enabled) {
        for (int i = 0; i < slots.size(); i++) {
            b.server("s" + (i + 1), slots.get(i).endpoint(), 256, enabled);
        }
        return b;
    }

    /** The first of {@code count} consecutive loopback ports that could all be bound just now. */
    private static int freePorts(int count) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                first = Math.min(s.getLocalPort(), 65535 - count);
            }
            boolean all = true;
            for (int p = first; p < first + count && all; p++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 1);
                } catch (IOException e) {
                    all = false;
                }
            }
            if (all) {
                return first;
            }
        }
        throw new IOException("found no " + count + " consecutive free loopback ports in 100 attempts");
    }

    /** The proxy's frontend port (for load). */
    public int frontendPort() {
        return haproxy != null ? haproxy.frontendPort() : nginx.port();
    }

    /** One deployment in a new JVM; returns what it printed last and the check of the outcome. */
    public Map<String, Object> deploy() throws Exception {
        String version = deployCount++ % 2 == 0 ? "v1" : "v2";
        String before = colour();
        long t0 = System.nanoTime();
        DeployerChild c = DeployerChild.start(args("deploy", version));
        String done = c.await("DONE", Duration.ofSeconds(150));
        c.awaitExit();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("result", done);
        out.put("millis", (System.nanoTime() - t0) / 1_000_000);
        out.put("colourBefore", before);
        out.put("colourAfter", colour());
        out.put("check", check(version));
        return out;
    }

    /**
     * One crash trial: a deploy killed after a random delay, then a recovery in a new JVM; the check of the outcome, and
     * {@code converged}: the check converged and the recovery did not end FAILED.
     */
    public Map<String, Object> crashTrial(long maxKillMillis) throws Exception {
        String version = deployCount++ % 2 == 0 ? "v1" : "v2";
        DeployerChild c = DeployerChild.start(args("deploy", version));
        c.await("READY", Duration.ofSeconds(60));
        long kill = (long) (random.nextDouble() * maxKillMillis);
        String finished = c.awaitFor(Duration.ofMillis(kill), "DONE");
        c.kill();
        DeployerChild r = DeployerChild.start(args("recover", version));
        r.await("DONE", Duration.ofSeconds(150));
        r.awaitExit();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("killAfterMillis", kill);
        out.put("deployFinishedBeforeKill", finished != null);
        String recovery = r.lines.stream().filter(l -> l.startsWith("RECOVERED")).findFirst().orElse("?");
        out.put("recovery", recovery);
        out.put("cleaned", r.lines.stream().filter(l -> l.startsWith("CLEANED")).map(l -> l.substring(8)).toList());
        Map<String, Object> check = check(null);
        out.put("check", check);
        out.put("converged", Boolean.TRUE.equals(check.get("converged")) && !recovery.startsWith("RECOVERED FAILED"));
        return out;
    }

    /**
     * What runs and serves now: versions answering 40 requests, non-200 answers, serving ids, live recorded ids,
     * orphans (recorded but not serving, plus backend processes or containers of this loop that the inventory does not
     * list; the latter are removed so that the next trial starts clean), and {@code converged}.
     */
    public Map<String, Object> check(String expectVersion) throws Exception {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            answers.merge(get(), 1, Integer::sum);
        }
        Routing now = DeployerMain.router(routerSpec, dir.resolve("state"), service).current();
        Set<String> servingIds = new TreeSet<>();
        for (Route r : now.routes()) {
            if (r.serving()) {
                servingIds.add(r.target().id());
            }
        }
        Set<String> live = new TreeSet<>();
        Set<String> handles = new java.util.HashSet<>();
        for (Target t : ((TargetInventory) inventory).discover(service)) {
            live.add(t.id());
            handles.add(String.valueOf(docker != null ? t.attribute(DockerLauncher.CONTAINER_ATTRIBUTE)
                    : t.attribute(ProcessLauncher.PID_ATTRIBUTE)));
        }
        List<String> orphans = new ArrayList<>();
        for (String id : live) {
            if (!servingIds.contains(id)) {
                orphans.add(id);
            }
        }
        for (String unlisted : removeUnlisted(handles)) {
            orphans.add("unrecorded " + unlisted);
        }
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

    /** Kills (removes) the backend processes (containers) of this loop whose pid (container id) is not in {@code keep}. */
    private List<String> removeUnlisted(Set<String> keep) {
        List<String> out = new ArrayList<>();
        if (docker != null) {
            for (ContainerSummary s : containers()) {
                if (keep.stream().noneMatch(k -> s.id().startsWith(k))) {
                    out.add("container " + s.id());
                    docker.removeContainer(s.id(), true);
                }
            }
            return out;
        }
        // busybox httpd forks a child per connection (HAProxy keeps some open): a child of a listed instance is not an
        // orphan (counting those killed serving children under load: 502s); a child whose instance is gone is one
        backends().filter(p -> !keep.contains(String.valueOf(p.pid())) && !p.parent()
                .map(parent -> keep.contains(String.valueOf(parent.pid()))).orElse(false)).forEach(p -> {
            out.add("pid " + p.pid());
            p.destroyForcibly();
        });
        return out;
    }

    private List<ContainerSummary> containers() {
        return docker.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, service), true);
    }

    /** Backend processes of this loop: their command line names its www directory. */
    private java.util.stream.Stream<ProcessHandle> backends() {
        String marker = dir.resolve("www").toString();
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(p -> p.info().arguments()
                .map(a -> String.join(" ", a).contains(marker)).orElse(false));
    }

    /** The colour the serving targets carry, as a fresh router reads it ({@code none} when nothing serves). */
    public String colour() {
        Set<String> colours = new TreeSet<>();
        for (Route r : DeployerMain.router(routerSpec, dir.resolve("state"), service).current().routes()) {
            if (r.serving()) {
                colours.add(String.valueOf(r.target().attribute(Target.COLOUR)));
            }
        }
        return colours.isEmpty() ? "none" : String.join(",", colours);
    }

    private String get() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://" + new Endpoint("127.0.0.1", frontendPort())
                    .authority() + "/").toURL().openConnection();
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
        return List.of(mode, service, version, routerSpec, launcherSpec, dir.resolve("state").toString());
    }

    /** Retires every recorded instance and removes any backend of this loop, then stops the proxy. */
    @Override
    public void close() {
        try {
            if (inventory != null) {
                for (Target t : ((TargetInventory) inventory).discover(service)) {
                    try {
                        inventory.retire(t, Duration.ofSeconds(2));
                    } catch (RuntimeException e) {
                        log.add("cleanup: " + e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            log.add("cleanup: " + e.getMessage());
        }
        if (docker != null) {
            containers().forEach(s -> docker.removeContainer(s.id(), true));
            containersLeft = containers().size();
            docker.close();
        } else {
            backends().forEach(ProcessHandle::destroyForcibly);
        }
        if (haproxy != null) {
            haproxy.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    /**
     * Backend processes of this loop still running, or the containers of its service {@link #close()} found after its
     * cleanup: for a final check after {@code close()}.
     */
    public long leftBehind() {
        return docker != null ? containersLeft : backends().count();
    }
}
