package dev.zdd.docker;

import java.util.List;
import java.util.Map;

/**
 * What {@code GET /images/{name}/json} says about an image present on the daemon. Immutable; thread-safe.
 *
 * @param id       the image id ({@code sha256:...})
 * @param repoTags its tags, e.g. {@code shop:2.1}
 * @param labels   its labels
 */
public record ImageInfo(String id, List<String> repoTags, Map<String, String> labels) {
    /** Copies the collections. */
    public ImageInfo {
        repoTags = List.copyOf(repoTags);
        labels = Map.copyOf(labels);
    }
}
