/**
 * Deployment reports for people: {@link dev.zdd.core.report.DeploymentRecorder} listens to a deployment and writes JSON
 * and a self-contained SVG timeline (traffic share per version, health and analysis verdicts, rollback).
 */
package dev.zdd.core.report;
