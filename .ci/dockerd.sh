#!/usr/bin/env bash
# Starts or stops a private Docker daemon for CI and integration tests.
#
#   .ci/dockerd.sh start   start dockerd in the background (state under $ZDD_DOCKERD_DIR, default /tmp/zdd-dockerd),
#                          wait until /_ping answers (at most $ZDD_DOCKERD_WAIT seconds, default 60), print the host
#                          to export as ZDD_DOCKER_HOST (unix:///tmp/zdd-dockerd/docker.sock)
#   .ci/dockerd.sh stop    stop it (SIGTERM, then SIGKILL after 20 s) and remove its directory
#   .ci/dockerd.sh status  print the host and exit 0 when it answers, exit 1 otherwise
#   .ci/dockerd.sh host    print the host (whether or not it runs)
#
# Needs root (dockerd does). Logs go to $ZDD_DOCKERD_DIR/dockerd.log. Starting twice is harmless: a daemon that
# already answers is reused.
set -euo pipefail

DIR="${ZDD_DOCKERD_DIR:-/tmp/zdd-dockerd}"
WAIT="${ZDD_DOCKERD_WAIT:-60}"
SOCK="$DIR/docker.sock"
PIDFILE="$DIR/docker.pid"
LOG="$DIR/dockerd.log"

case "$DIR" in
  /*) ;;
  *) echo "ZDD_DOCKERD_DIR must be an absolute path, was '$DIR'" >&2; exit 2 ;;
esac
if [[ ! "$DIR" =~ ^/[A-Za-z0-9._/-]+$ ]] || (( ${#DIR} > 60 )); then
  # containerd puts its own socket under the exec root: unix socket paths are limited to 108 bytes
  echo "ZDD_DOCKERD_DIR must be a short plain path (letters, digits, . _ - /; at most 60 chars), was '$DIR'" >&2
  exit 2
fi
if ! [[ "$WAIT" =~ ^[0-9]{1,4}$ ]]; then
  echo "ZDD_DOCKERD_WAIT must be a whole number of seconds, was '$WAIT'" >&2
  exit 2
fi

ping_ok() {
  [[ -S "$SOCK" ]] || return 1
  if command -v curl >/dev/null; then
    curl -fsS --max-time 2 --unix-socket "$SOCK" http://docker/_ping >/dev/null 2>&1
  else
    timeout 5 docker --host "unix://$SOCK" version --format '{{.Server.Version}}' >/dev/null 2>&1
  fi
}

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  if ping_ok; then
    echo "unix://$SOCK"
    return 0
  fi
  if [[ "$(id -u)" != "0" ]]; then
    echo "dockerd needs root; run as root or point ZDD_DOCKER_HOST at an existing daemon" >&2
    exit 1
  fi
  command -v dockerd >/dev/null || { echo "dockerd is not installed (apt-get install docker.io)" >&2; exit 1; }
  mkdir -p "$DIR/data" "$DIR/exec"
  # setsid: the daemon must not die with the shell that started it
  setsid dockerd --host "unix://$SOCK" --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$PIDFILE" \
    >"$LOG" 2>&1 </dev/null &
  local started=$SECONDS
  while (( SECONDS - started < WAIT )); do
    if ping_ok; then
      echo "unix://$SOCK"
      return 0
    fi
    if ! kill -0 $! 2>/dev/null; then
      echo "dockerd exited during start; last lines of $LOG:" >&2
      tail -n 20 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  echo "dockerd did not answer /_ping within ${WAIT}s; last lines of $LOG:" >&2
  tail -n 20 "$LOG" >&2 || true
  exit 1
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "dockerd ($pid) ignored SIGTERM for 20 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  # overlay mounts left by a killed daemon would make rm fail
  if [[ -d "$DIR" ]]; then
    { grep -o " $DIR/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$DIR"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  host) echo "unix://$SOCK" ;;
  status) if ping_ok; then echo "unix://$SOCK"; else exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|host" >&2; exit 2 ;;
esac
