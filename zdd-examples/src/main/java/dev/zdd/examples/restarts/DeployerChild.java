package dev.zdd.examples.restarts;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@link DeployerMain}; its stdout lines are collected, its stderr discarded. Not thread-safe. */
final class DeployerChild {
    final Process process;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.BlockingQueue<String> queue = new java.util.concurrent.LinkedBlockingQueue<>();

    private DeployerChild(Process p) {
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

    static DeployerChild start(List<String> args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx96m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", cp, DeployerMain.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        return new DeployerChild(pb.start());
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
