package dev.zdd.core.internal.io;

import java.nio.charset.StandardCharsets;

/**
 * Stable 64-bit string hashes for sticky routing: FNV-1a over the UTF-8 bytes, followed by the murmur3 64-bit finaliser
 * so that the high bits (which pick the point in {@code [0, 1)}) are well mixed even for short, similar keys. The values
 * never change between releases or JVMs: a user's key keeps its point. Internal; stateless and thread-safe.
 */
public final class StableHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long SECOND_SALT = 0x9e3779b97f4a7c15L;

    private StableHash() {
    }

    /** FNV-1a 64 of the UTF-8 bytes of {@code value}, finalised by murmur3's fmix64. */
    public static long hash64(String value) {
        long h = FNV_OFFSET;
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return fmix64(h);
    }

    /** An independent second hash derived from a first one (for the choice inside a version). */
    public static long second(long first) {
        return fmix64(first ^ SECOND_SALT);
    }

    /** Maps a hash to a point in {@code [0, 1)} using its top 53 bits. */
    public static double unit(long hash) {
        return (hash >>> 11) * 0x1.0p-53;
    }

    /** murmur3's 64-bit finaliser (an avalanche mix). */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
