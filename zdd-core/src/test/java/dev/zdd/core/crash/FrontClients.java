package dev.zdd.core.crash;

import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.journal.JournalCodec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The child JVM's view of a {@link RouterFront}: a router, a launcher and a health probe over HTTP. Thread-safe. */
public final class FrontClients {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public FrontClients(String base) {
        this.base = base;
    }

    private String call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    public TrafficRouter router() {
        return new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                try {
                    call("PUT", "/routing", JournalCodec.routingToJson(routing));
                } catch (IOException | InterruptedException e) {
                    throw new RouterException("apply: " + e.getMessage(), e);
                }
            }

            @Override
            public Routing current() {
                try {
                    return JournalCodec.routingFromJson(call("GET", "/routing", null));
                } catch (IOException | InterruptedException e) {
                    throw new RouterException("current: " + e.getMessage(), e);
                }
            }

            @Override
            public RouterCapabilities capabilities() {
                return new RouterCapabilities(Routing.MAX_WEIGHT, true, false, false, false);
            }
        };
    }

    /**
     * A router that sends the fencing token and this pid with every apply ({@code PUT /routing?token=&pid=}); the front
     * refuses a token lower than the highest it has seen (409), which this router throws as {@link FencedOutException}.
     */
    public TrafficRouter fencedRouter() {
        TrafficRouter plain = router();
        long pid = ProcessHandle.current().pid();
        return new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                apply(routing, dev.zdd.api.Fence.NONE);
            }

            @Override
            public void apply(Routing routing, dev.zdd.api.Fence fence) {
                try {
                    call("PUT", "/routing?token=" + fence.token() + "&pid=" + pid, JournalCodec.routingToJson(routing));
                } catch (IOException e) {
                    if (e.getMessage().contains("answered 409")) {
                        throw new dev.zdd.api.FencedOutException("router refused token " + fence.token() + ": "
                                + e.getMessage());
                    }
                    throw new RouterException("apply: " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    throw new RouterException("apply: " + e.getMessage(), e);
                }
            }

            @Override
            public Routing current() {
                return plain.current();
            }

            @Override
            public RouterCapabilities capabilities() {
                return plain.capabilities();
            }
        };
    }

    public TargetLauncher launcher() {
        return new TargetLauncher() {
            @Override
            public Target launch(LaunchRequest request) {
                try {
                    String[] hp = call("POST", "/launch?id=" + request.targetId() + "&version=" + request.version(), null).split(" ");
                    return new Target(request.targetId(), request.version(), dev.zdd.api.Endpoint.of(hp[0], Integer.parseInt(hp[1])),
                            request.attributes());
                } catch (IOException | InterruptedException e) {
                    throw new LaunchException("launch: " + e.getMessage(), e);
                }
            }

            @Override
            public void retire(Target target, Duration grace) {
                try {
                    call("POST", "/retire?id=" + target.id(), null);
                } catch (IOException | InterruptedException e) {
                    throw new LaunchException("retire: " + e.getMessage(), e);
                }
            }
        };
    }

    HealthProbe probe() {
        return (target, timeout) -> {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + target.endpoint().authority() + "/health"))
                    .timeout(timeout).build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? HealthResult.healthy() : HealthResult.unhealthy("status " + r.statusCode());
        };
    }
}
