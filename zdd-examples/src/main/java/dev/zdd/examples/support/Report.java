package dev.zdd.examples.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** Writes a scenario's JSON report (atomically: temp file, then rename). */
public final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    private Report() {
    }

    /** Writes {@code report} as indented JSON to {@code file}. */
    public static void write(Path file, Map<String, Object> report) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), report);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The report as a JSON string. */
    public static String toJson(Object report) throws IOException {
        return JSON.writeValueAsString(report);
    }
}
