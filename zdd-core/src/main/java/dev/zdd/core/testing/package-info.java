/**
 * zdd's test kit, for users' own tests of their deployment logic (no JUnit needed): a
 * {@link dev.zdd.core.testing.VirtualScheduler} that runs an hour of deployment in milliseconds, scripted fakes
 * ({@link dev.zdd.core.testing.ScriptedProbe}, {@link dev.zdd.core.testing.RecordingRouter},
 * {@link dev.zdd.core.testing.FakeLauncher}), a real HTTP {@link dev.zdd.core.testing.TestBackend}, and
 * {@link dev.zdd.core.testing.IntegrationEnvironment} to tell a skip from a failure in integration tests.
 */
package dev.zdd.core.testing;
