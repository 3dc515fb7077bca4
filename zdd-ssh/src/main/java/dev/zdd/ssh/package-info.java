/**
 * zdd over SSH: an SSH client layer on Apache MINA SSHD ({@link dev.zdd.ssh.SshHost}, {@link dev.zdd.ssh.SshConfig},
 * {@link dev.zdd.ssh.SshClientPool}), remote nginx ({@link dev.zdd.ssh.SshNginxControl},
 * {@link dev.zdd.ssh.SshIncludeStore}), remote processes ({@link dev.zdd.ssh.SshProcessLauncher}).
 */
package dev.zdd.ssh;
