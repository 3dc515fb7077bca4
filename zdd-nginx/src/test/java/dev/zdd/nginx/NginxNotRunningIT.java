package dev.zdd.nginx;

import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Clear errors when nginx is not running or not installed where the control says. */
class NginxNotRunningIT {
    private static final Routing BLUE = Routing.of(Route.active(Target.of("b", "blue", "127.0.0.1", 9001), 10000));
    private static final Routing GREEN = Routing.of(Route.active(Target.of("g", "green", "127.0.0.1", 9002), 10000));

    @Test
    void applyWhileNginxIsStoppedFailsAtReloadAndRestoresTheFile() throws Exception {
        Optional<Path> binary = IntegrationEnvironment.find("nginx", "apt-get install nginx");
        assumeTrue(binary.isPresent(), "nginx is not installed (apt-get install nginx)");
        try (TestNginx nginx = TestNginx.create(binary.get(), "app")) {
            NginxRouter router = nginx.routerBuilder().build();
            router.writeInitial(BLUE);
            String before = Files.readString(router.includeFile());
            RouterException e = assertThrows(RouterException.class, () -> router.apply(GREEN));
            assertTrue(e.getMessage().contains("step 'reload' failed"), e.getMessage());
            assertTrue(e.getMessage().contains("nginx does not seem to be running"), e.getMessage());
            assertTrue(e.getMessage().contains("nginx said:") && e.getMessage().contains("pid"), e.getMessage());
            assertEquals(before, Files.readString(router.includeFile()));
            RouterException read = assertThrows(RouterException.class, router::current);
            assertTrue(read.getMessage().contains("does not answer: is nginx running"), read.getMessage());
        }
    }

    @Test
    void aMissingBinaryIsAClearError() throws Exception {
        Path dir = Files.createTempDirectory("zdd-nginx-missing");
        try {
            NginxRouter router = NginxRouter.builder().name("app").includeFile(dir.resolve("zdd-app.conf"))
                    .status(new dev.zdd.api.Endpoint("127.0.0.1", 1))
                    .control(LocalNginxControl.builder().binary(dir.resolve("no-nginx")).build()).build();
            router.writeInitial(BLUE);
            RouterException e = assertThrows(RouterException.class, () -> router.apply(GREEN));
            // the default (ON_RELOAD) lets the reload find it: refused at the reload or confirm step, nginx's words
        assertTrue(e.getMessage().matches("(?s).*step '(validate|reload|confirm)' failed.*"), e.getMessage());
            assertTrue(e.getMessage().contains("cannot run"), e.getMessage());
            assertEquals(BLUE, dev.zdd.nginx.internal.IncludeFile.parse(Files.readString(router.includeFile())).routing());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
