package dev.zdd.docker;

import java.util.List;

/**
 * What {@code GET /images/{name}/json} says about an image present on the daemon. Immutable; thread-safe.
 *
 * @param id       the image id ({@code sha256:...})
 * @param repoTags its tags, e.g. {@code shop:2.1}
 */
public record ImageInfo(String id, List<String> repoTags) {
    /** Copies the list. */
    public ImageInfo {
        repoTags = List.copyOf(repoTags);
    }
}
