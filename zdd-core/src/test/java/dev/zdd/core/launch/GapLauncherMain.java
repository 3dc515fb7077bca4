package dev.zdd.core.launch;

import dev.zdd.api.LaunchRequest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * A deployer process that stops inside a launch: it builds a {@link ProcessLauncher} whose test hook, at the given
 * {@link ProcessLauncher.Stage}, prints {@code STOPPED <stage>} and sleeps (at most 2 minutes), so that the test can
 * SIGKILL it exactly there. Args: {@code <stateDir> <logDir> <port> <stage> <program> [args...]}.
 */
public final class GapLauncherMain {
    private GapLauncherMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[2]);
        ProcessLauncher.Stage stopAt = ProcessLauncher.Stage.valueOf(args[3]);
        ProcessLauncher launcher = ProcessLauncher.builder().stateDirectory(Path.of(args[0])).logDirectory(Path.of(args[1]))
                .portRange(port, port).command(Arrays.asList(args).subList(4, args.length))
                .startupCheck(Duration.ofMillis(100)).hook(stage -> {
                    if (stage == stopAt) {
                        System.out.println("STOPPED " + stage);
                        System.out.flush();
                        try {
                            Thread.sleep(120_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).build();
        launcher.launch(new LaunchRequest("web", "web-blue-1", "v1", Map.of("colour", "blue")));
        System.out.println("LAUNCHED");
        System.exit(0);
    }
}
