package dev.zdd.docker;

/** When {@link DockerLauncher} pulls the image of a version from its registry before creating a container. */
public enum PullPolicy {
    /** Pull before every launch, even when the daemon has the image (picks up a moved tag such as {@code latest}). */
    ALWAYS,
    /** Pull only when the daemon does not have the image. The default. */
    IF_MISSING,
    /** Never pull: the image must be on the daemon already (built, loaded or pulled by other means). */
    NEVER
}
