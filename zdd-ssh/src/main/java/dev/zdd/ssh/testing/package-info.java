/**
 * Several machines simulated on one, for tests, demos and benchmarks: {@link dev.zdd.ssh.testing.TestSshLab} (hosts
 * with their own loopback address, sshd, host key and unix user), {@link dev.zdd.ssh.testing.TestRemoteNginx} (nginx
 * on such a host, set up over SSH), {@link dev.zdd.ssh.testing.TestTopology} (two nginx hosts and two app hosts) and
 * {@link dev.zdd.ssh.testing.TestLoad} (keep-alive, close and retrying HTTP clients). Linux and root only.
 */
package dev.zdd.ssh.testing;
