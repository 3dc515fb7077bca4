/**
 * zdd over SSH (optional module): an SSH client layer on Apache MINA SSHD ({@link dev.zdd.ssh.SshHost},
 * {@link dev.zdd.ssh.SshConfig}, {@link dev.zdd.ssh.SshClientPool}, {@link dev.zdd.ssh.RemoteCommand},
 * {@link dev.zdd.ssh.RemotePath}, {@link dev.zdd.ssh.SshFiles}); nginx on other hosts for the unchanged
 * {@code NginxRouter} ({@link dev.zdd.ssh.SshNginxControl}, {@link dev.zdd.ssh.SshIncludeStore},
 * {@link dev.zdd.ssh.SshStatusConnector}, {@link dev.zdd.ssh.SshNginx}); remote processes
 * ({@link dev.zdd.ssh.SshProcessLauncher}, {@link dev.zdd.ssh.SpreadLauncher}); Docker over ssh
 * ({@link dev.zdd.ssh.SshDockerTransport}). See docs/ssh.md.
 */
package dev.zdd.ssh;
