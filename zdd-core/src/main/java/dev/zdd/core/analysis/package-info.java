/**
 * Metric-gated deployments: {@link dev.zdd.core.analysis.MetricSource}s (request counters of the in-process router or
 * a {@link dev.zdd.core.analysis.RequestRecorder}, Prometheus text endpoints), threshold analysis
 * ({@link dev.zdd.core.analysis.MetricAnalysis}), canary-against-baseline comparison with a hand-written Mann-Whitney U
 * test ({@link dev.zdd.core.analysis.ComparisonAnalysis}, {@link dev.zdd.core.analysis.WithBaseline}) and A/B tests
 * ({@link dev.zdd.core.analysis.AbTest}). Analyses are {@link dev.zdd.api.DeploymentCheck}s run by plan steps.
 */
package dev.zdd.core.analysis;
