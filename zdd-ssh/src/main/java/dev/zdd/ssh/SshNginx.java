package dev.zdd.ssh;

import dev.zdd.api.Arguments;
import dev.zdd.nginx.NginxRouter;

/**
 * Wires an {@link NginxRouter} to nginx on another host: the include file is kept there through an
 * {@link SshIncludeStore}, reloads are confirmed through an {@link SshStatusConnector}; add the name, the status
 * endpoint (an address on that host, e.g. its loopback) and an {@link SshNginxControl}. The router itself is unchanged.
 *
 * <pre>{@code
 * NginxRouter router = SshNginx.routerBuilder(pool, host, RemotePath.of("/etc/nginx/zdd/shop.conf"))
 *         .name("shop")
 *         .status(Endpoint.of("127.0.0.1", 18081))
 *         .control(SshNginxControl.builder(pool, host).sudo(true).build())
 *         .build();
 * }</pre>
 *
 * <p>Stateless; thread-safe.
 */
public final class SshNginx {
    private SshNginx() {
    }

    /** A router builder with the include store and status connector for {@code host} already set. */
    public static NginxRouter.Builder routerBuilder(SshClientPool pool, SshHost host, RemotePath includeFile) {
        Arguments.notNull("pool", pool);
        Arguments.notNull("host", host);
        return NginxRouter.builder()
                .includeStore(SshIncludeStore.of(pool, host, includeFile))
                .statusConnector(new SshStatusConnector(pool, host));
    }
}
