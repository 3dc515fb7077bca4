package dev.zdd.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registry credentials: validation, the X-Registry-Auth header, and the password shown nowhere. */
class RegistryCredentialsTest {
    private static final String PASSWORD = "p4ss+/=\"word";

    @Test
    void theHeaderIsBase64UrlJsonAndThePasswordIsShownNowhere() throws Exception {
        RegistryCredentials c = RegistryCredentials.of("registry.example:5000", "deploy", PASSWORD);
        assertEquals("registry.example:5000", c.registry());
        assertEquals("deploy", c.username());
        assertFalse(c.toString().contains(PASSWORD), c.toString());
        assertEquals("RegistryCredentials[deploy@registry.example:5000, password ****]", c.toString());
        String header = c.authHeader();
        assertFalse(header.contains("+") || header.contains("/"), "base64url: " + header);
        JsonNode n = new ObjectMapper().readTree(new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8));
        assertEquals("deploy", n.path("username").asText());
        assertEquals(PASSWORD, n.path("password").asText());
        assertEquals("registry.example:5000", n.path("serveraddress").asText());
        assertEquals("denied for **** at x", c.redact("denied for " + PASSWORD + " at x"));
        assertNotEquals(c, RegistryCredentials.of("registry.example:5000", "deploy", PASSWORD), "identity equality");
    }

    @Test
    void badValuesNameTheFieldButNeverThePassword() {
        assertTrue(message(() -> RegistryCredentials.of("reg example", "u", "p")).contains("registry 'reg example'"));
        assertTrue(message(() -> RegistryCredentials.of("reg.example:0", "u", "p")).contains("bad port"));
        assertTrue(message(() -> RegistryCredentials.of("https://reg.example", "u", "p")).contains("registry '"));
        assertTrue(message(() -> RegistryCredentials.of("reg.example", "", "p")).contains("registry username ''"));
        assertTrue(message(() -> RegistryCredentials.of("reg.example", "u\n", "p")).contains("registry username"));
        String nul = message(() -> RegistryCredentials.of("reg.example", "u", "sec\nret-value"));
        assertTrue(nul.contains("registry password for u@reg.example"), nul);
        assertFalse(nul.contains("sec") || nul.contains("ret-value"), nul);
        assertTrue(message(() -> RegistryCredentials.of("reg.example", "u", "")).contains("registry password"));
        assertTrue(message(() -> RegistryCredentials.of("reg.example", "u", null)).contains("registry password"));
    }

    @Test
    void theLauncherShowsUserAndRegistryOnly() {
        try (DockerClient c = DockerClient.connect("unix:///tmp/none.sock")) {
            DockerLauncher l = DockerLauncher.builder(c, "registry.example:5000/shop:{version}")
                    .registryCredentials(RegistryCredentials.of("registry.example:5000", "deploy", PASSWORD))
                    .pullPolicy(PullPolicy.ALWAYS).build();
            assertFalse(l.toString().contains(PASSWORD), l.toString());
            assertTrue(l.toString().contains("pull=ALWAYS"), l.toString());
            assertTrue(l.toString().contains("deploy@registry.example:5000"), l.toString());
            assertThrows(IllegalArgumentException.class, () -> DockerLauncher.builder(c, "shop:{version}").pullPolicy(null));
            assertThrows(IllegalArgumentException.class, () -> DockerLauncher.builder(c, "shop:{version}").pullListener(null));
        }
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
