/**
 * Deployment policies: deploy windows and freezes ({@link dev.zdd.core.policy.DeployWindowPolicy}) and plan decorators
 * such as hooks around every traffic shift ({@link dev.zdd.core.policy.Plans}). See {@code docs/reliability.md}.
 */
package dev.zdd.core.policy;
