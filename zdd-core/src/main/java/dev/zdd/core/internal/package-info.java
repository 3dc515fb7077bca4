/**
 * Engine internals: the deployment state machine, plan validation, the default scheduler and executor. Not API: may
 * change in any release; adapter modules and users never import it.
 */
package dev.zdd.core.internal;
