package dev.zdd.docker;

import dev.zdd.api.Arguments;

/**
 * One step of an image pull (or push) as the daemon reports it, for example {@code Downloading} a layer with
 * {@code current}/{@code total} bytes, {@code Pull complete}, or the final {@code Status: Downloaded newer image for ...}.
 *
 * @param image   the image being pulled, e.g. {@code registry.example:5000/shop:1.2}
 * @param layer   the layer (or tag) the step is about, or empty when it is about the whole image
 * @param status  Docker's status text, e.g. {@code Downloading}, {@code Extracting}, {@code Pull complete}
 * @param current bytes done, or -1 when the step has no byte count
 * @param total   bytes in all, or -1 when unknown
 */
public record PullProgress(String image, String layer, String status, long current, long total) {
    /** Validates. */
    public PullProgress {
        Arguments.notNull("image", image);
        Arguments.notNull("layer", layer);
        Arguments.notNull("status", status);
    }

    /** {@code true} when the step carries a byte count. */
    public boolean hasBytes() {
        return current >= 0;
    }

    @Override
    public String toString() {
        return image + (layer.isEmpty() ? "" : " " + layer) + ": " + status
                + (current >= 0 ? " " + current + (total > 0 ? "/" + total : "") + " bytes" : "");
    }
}
