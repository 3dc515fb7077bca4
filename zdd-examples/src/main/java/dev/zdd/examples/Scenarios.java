package dev.zdd.examples;

import java.util.List;

/** The scenarios {@link Main} knows, in {@code --help} order. Add yours here. */
final class Scenarios {
    private Scenarios() {
    }

    static List<Scenario> all() {
        return List.of(
                new dev.zdd.examples.demo.Demo(),
                new dev.zdd.examples.demo.EngineBench(),
                new dev.zdd.examples.haproxy.HaproxyBench(),
                new dev.zdd.examples.nginx.NginxBench(),
                new dev.zdd.examples.docker.DockerBlueGreen(),
                new dev.zdd.examples.ssh.MultiHostBench(),
                new dev.zdd.examples.restarts.Restarts(),
                new dev.zdd.examples.failover.Failover()
        );
    }
}
