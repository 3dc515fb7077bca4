/**
 * The three strategies that ship with zdd: {@link dev.zdd.core.strategy.Rolling}, {@link dev.zdd.core.strategy.BlueGreen}
 * and {@link dev.zdd.core.strategy.Canary}. Each is a pure function from a {@link dev.zdd.api.PlanContext} to a
 * {@link dev.zdd.api.Plan}: no I/O, no clock, immutable and thread-safe, built by a builder whose setters validate their
 * arguments. Plans contain no rollback steps; the engine's rollback is generic.
 */
package dev.zdd.core.strategy;
