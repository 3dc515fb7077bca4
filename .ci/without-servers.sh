#!/usr/bin/env bash
# Runs a command as on a machine with only a JDK and Maven: inside a private mount namespace in which the servers the
# integration tests use are masked, with the variables that point the tests at them unset.
#
#   .ci/without-servers.sh COMMAND [ARG...]      e.g. .ci/without-servers.sh mvn verify
#
# Masked: every file named like one of PROGRAMS below on the PATH, in the usual bin/sbin folders and in
# /usr/lib/postgresql/*/bin gets /dev/null bind-mounted over it (a character device: no longer a regular executable
# file, which is what the tests' lookup, dev.zdd.core.testing.IntegrationEnvironment, asks for); the private dockerd's
# directory (.ci/dockerd.sh) and the system Docker socket are hidden. Unset: ZDD_DOCKER_HOST, DOCKER_HOST,
# ZDD_REQUIRE_INTEGRATION. Before running COMMAND it checks that none of PROGRAMS can still be found.
#
# Needs root (unshare --mount). Nothing leaks: the mounts are private to the namespace and vanish with it, so servers,
# daemons and other people's builds outside it see nothing. Exits with COMMAND's exit code.
set -euo pipefail

# Programs the integration tests look for, and programs they would start through a daemon or a wrapper.
PROGRAMS=(nginx haproxy dockerd containerd docker busybox docker-registry htpasswd sshd postgres initdb pg_ctl)
# Where daemons the tests would find on their own listen.
SOCKET_DIRS=("${ZDD_DOCKERD_DIR:-/tmp/zdd-dockerd}")
SOCKETS=(/var/run/docker.sock /run/docker.sock)

if [[ "${1:-}" != "--inside-namespace" ]]; then
  (( $# > 0 )) || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
  [[ "$(id -u)" == "0" ]] || { echo "$0 needs root (unshare --mount)" >&2; exit 1; }
  exec unshare --mount --propagation private -- bash "$0" --inside-namespace "$@"
fi
shift

dirs=()
IFS=: read -r -a dirs <<<"${PATH:-}"
dirs+=(/usr/sbin /sbin /usr/local/sbin /usr/bin /bin /usr/local/bin)
shopt -s nullglob
dirs+=(/usr/lib/postgresql/*/bin)
shopt -u nullglob

declare -A masked=()
for p in "${PROGRAMS[@]}"; do
  for d in "${dirs[@]}"; do
    [[ -n "$d" && -f "$d/$p" ]] || continue
    real="$(readlink -f "$d/$p")"
    [[ -z "${masked[$real]:-}" ]] || continue
    mount --bind /dev/null "$real"
    masked[$real]=1
  done
done
for d in "${SOCKET_DIRS[@]}"; do
  if [[ -d "$d" ]]; then mount -t tmpfs -o size=1m,mode=0755 zdd-masked "$d"; fi
done
for s in "${SOCKETS[@]}"; do
  if [[ -S "$s" ]]; then mount --bind /dev/null "$(readlink -f "$s")"; fi
done

# The same test as IntegrationEnvironment.locate: a regular, executable file on the PATH or in a usual folder.
for p in "${PROGRAMS[@]}"; do
  for d in "${dirs[@]}"; do
    if [[ -n "$d" && -f "$d/$p" && -x "$d/$p" ]]; then
      echo "$0: $d/$p is still installed inside the namespace" >&2
      exit 1
    fi
  done
done
echo "[without-servers] masked ${#masked[@]} files: ${!masked[*]}"

exec env -u ZDD_DOCKER_HOST -u DOCKER_HOST -u ZDD_REQUIRE_INTEGRATION "$@"
