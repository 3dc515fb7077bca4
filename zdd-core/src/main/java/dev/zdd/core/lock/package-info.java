/**
 * One deployment per service at a time: the {@link dev.zdd.core.lock.DeploymentLock} SPI, a file-lock implementation
 * for one machine, and waiting for a busy lock through the scheduler. See {@code docs/reliability.md}.
 */
package dev.zdd.core.lock;
