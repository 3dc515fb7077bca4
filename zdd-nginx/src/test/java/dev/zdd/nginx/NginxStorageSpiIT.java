package dev.zdd.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.internal.LocalIncludeStore;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The router keeps its file through an {@link IncludeStore} and confirms through a {@link StatusConnector} it is given. */
class NginxStorageSpiIT {
    private final NginxFixture fixture = new NginxFixture();

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void usesTheGivenStoreAndConnectorAndRestoresThroughThem() throws Exception {
        TestBackend blue = fixture.backend("blue");
        TestBackend green = fixture.backend("green");
        Routing toBlue = Routing.of(Route.active(blue.target("blue"), 10000), Route.disabled(green.target("green")));
        Routing toGreen = Routing.of(Route.active(green.target("green"), 10000), Route.disabled(blue.target("blue")));
        TestNginx nginx = fixture.prepare("app");
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger connects = new AtomicInteger();
        LocalIncludeStore local = new LocalIncludeStore(nginx.includeFile());
        IncludeStore counting = new IncludeStore() {
            @Override
            public String read() throws IOException {
                reads.incrementAndGet();
                return local.read();
            }

            @Override
            public void write(String text) throws IOException {
                writes.incrementAndGet();
                local.write(text);
            }

            @Override
            public String toString() {
                return "counting:" + local;
            }
        };
        NginxRouter router = NginxRouter.builder().name("app").includeStore(counting)
                .statusConnector((status, timeout) -> {
                    connects.incrementAndGet();
                    return StatusConnector.DIRECT.connect(status, timeout);
                })
                .status(nginx.statusEndpoint()).control(nginx.control()).build();
        assertNull(router.includeFile(), "no local path when a store is given");
        router.writeInitial(toBlue);
        nginx.start();
        assertEquals(toBlue, router.current());
        router.apply(toGreen);
        assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of()));
        assertTrue(reads.get() >= 2 && writes.get() >= 2 && connects.get() >= 2,
                reads + " reads, " + writes + " writes, " + connects + " connects");

        String main = Files.readString(nginx.mainConfig());
        Files.writeString(nginx.mainConfig(), main + "broken_directive on;\n");
        try {
            int before = writes.get();
            RouterException e = assertThrows(RouterException.class, () -> router.apply(toBlue));
            // the default (ON_RELOAD) lets the reload find it: refused at the reload or confirm step, nginx's words
        assertTrue(e.getMessage().matches("(?s).*step '(validate|reload|confirm)' failed.*"), e.getMessage());
            assertEquals(before + 2, writes.get(), "written, then restored, through the store");
        } finally {
            Files.writeString(nginx.mainConfig(), main);
        }
        assertEquals(toGreen, router.current());
    }

    @Test
    void builderWantsOneOfFileOrStore() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NginxRouter.builder().name("app")
                .includeFile(java.nio.file.Path.of("/tmp/x.conf")).includeStore(new LocalIncludeStore(java.nio.file.Path.of("/tmp/y.conf")))
                .status(dev.zdd.api.Endpoint.of("127.0.0.1", 1)).control(LocalNginxControl.builder().build()).build());
        assertEquals("give includeFile or includeStore, not both", e.getMessage());
    }
}
