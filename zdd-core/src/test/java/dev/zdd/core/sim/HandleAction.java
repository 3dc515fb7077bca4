package dev.zdd.core.sim;

import dev.zdd.api.Deployment;

/** A person's call on the deployment handle. */
enum HandleAction {
    ABORT, PAUSE, RESUME, PROMOTE;

    void on(Deployment d, String why) {
        switch (this) {
            case ABORT -> d.abort(why);
            case PAUSE -> d.pause();
            case RESUME -> d.resume();
            case PROMOTE -> d.promote();
            default -> throw new AssertionError(this);
        }
    }
}
