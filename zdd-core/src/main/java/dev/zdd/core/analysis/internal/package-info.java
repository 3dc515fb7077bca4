/**
 * Internals of zdd's metric analysis: the Prometheus text-format parser, selectors and queries behind
 * {@link dev.zdd.core.analysis.PrometheusMetricSource}, and the Mann-Whitney U test behind
 * {@link dev.zdd.core.analysis.ComparisonAnalysis} and {@link dev.zdd.core.analysis.AbTest}. Not an API: nothing
 * outside zdd-core imports it (ArchitectureTest in zdd-examples enforces that).
 */
package dev.zdd.core.analysis.internal;
