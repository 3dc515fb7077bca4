package dev.zdd.docker;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image references by Docker's reference grammar; no daemon needed. */
class ImageReferenceTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void validReferencesAndTheirParts() {
        ImageReference plain = ImageReference.parse("shop");
        assertEquals("docker.io", plain.registry());
        assertFalse(plain.hasRegistry());
        assertEquals("shop", plain.repository());
        assertEquals("latest", plain.tagOrDigest());

        ImageReference hub = ImageReference.parse("team/shop:1.2");
        assertEquals("docker.io", hub.registry());
        assertEquals("team/shop", hub.repository());
        assertEquals("1.2", hub.tag().orElseThrow());

        ImageReference local = ImageReference.parse("127.0.0.1:5000/zdd-test:v1");
        assertEquals("127.0.0.1:5000", local.registry());
        assertEquals("127.0.0.1:5000/zdd-test", local.repository());
        assertEquals("zdd-test", local.path());
        assertEquals("v1", local.tagOrDigest());

        ImageReference deep = ImageReference.parse("Registry.Example:443/a/b__c/d-e.f:V_1.0-rc");
        assertEquals("Registry.Example:443", deep.registry());
        assertEquals("a/b__c/d-e.f", deep.path());

        ImageReference pinned = ImageReference.parse("localhost/shop:1@" + DIGEST);
        assertEquals("localhost", pinned.registry());
        assertEquals(DIGEST, pinned.tagOrDigest());
        assertEquals("localhost/shop:1@" + DIGEST, pinned.toString());
        assertEquals(pinned, ImageReference.parse(pinned.toString()));
    }

    @Test
    void invalidReferencesNameTheFieldAndValue() {
        for (String bad : new String[] {"", "Shop:1", "shop:1;rm -rf /", "shop::1", "shop:-1", "shop:.1", "/shop",
                "shop/", "-reg.example/shop", "reg.example:99999/shop", "reg.example:/shop", "shop@sha256:abc",
                "shop:" + "x".repeat(129), "UPPER/shop", "sh op", "shop\n", "reg_example.com/shop", "a//b",
                "shop:1 ", "x".repeat(256)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImageReference.parse("launcher.image", bad), bad);
            assertTrue(e.getMessage().startsWith("launcher.image '"), e.getMessage());
            assertFalse(ImageReference.isValid(bad), bad);
        }
        assertTrue(ImageReference.parse("image", "reg.example:99999/shop".replace("99999", "65535")).hasRegistry());
        String upper = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("UPPER/shop")).getMessage();
        assertTrue(upper.contains("lower case"), upper);
    }
}
