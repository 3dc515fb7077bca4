#!/usr/bin/env bash
# Builds zdd's test image with no registry: the static busybox binary, a few applet symlinks and the start script of
# zdd-docker (src/main/resources/dev/zdd/docker/testing/start.sh), imported with `docker import`.
#
#   .ci/test-image.sh [--repo REPOSITORY] [--unhealthy|--crash] VERSION...
#
# makes REPOSITORY:VERSION (default repository zdd-test) for each VERSION. GET / answers the version and GET /health
# answers ok; --unhealthy makes /health answer 404, --crash makes the app exit with code 3 after 2 s.
# The daemon is $ZDD_DOCKER_HOST, else $DOCKER_HOST, else /tmp/zdd-dockerd/docker.sock (see .ci/dockerd.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

export DOCKER_HOST="${ZDD_DOCKER_HOST:-${DOCKER_HOST:-unix:///tmp/zdd-dockerd/docker.sock}}"
BUSYBOX=/bin/busybox
START=zdd-docker/src/main/resources/dev/zdd/docker/testing/start.sh

repo=zdd-test
behaviour=()
versions=()
while (( $# > 0 )); do
  case "$1" in
    --repo) repo="${2:?--repo needs a value}"; shift ;;
    --unhealthy) behaviour=(--change "ENV ZDD_HEALTHY=false") ;;
    --crash) behaviour=(--change "ENV ZDD_EXIT=cannot-open-database ZDD_EXIT_AFTER=2") ;;
    --*) echo "unknown option $1" >&2; exit 2 ;;
    *) versions+=("$1") ;;
  esac
  shift
done
(( ${#versions[@]} > 0 )) || { echo "usage: $0 [--repo REPOSITORY] [--unhealthy|--crash] VERSION..." >&2; exit 2; }
[[ "$repo" =~ ^[a-z0-9]+([._/-][a-z0-9]+)*$ ]] || { echo "bad repository '$repo'" >&2; exit 2; }
[[ -x "$BUSYBOX" ]] || { echo "$BUSYBOX missing (apt-get install busybox-static)" >&2; exit 1; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/www" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in sh httpd wget echo mkdir cat sleep; do ln -s busybox "$root/bin/$applet"; done
install -m 0755 "$START" "$root/start"

for v in "${versions[@]}"; do
  [[ "$v" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "bad version '$v'" >&2; exit 2; }
  tar -C "$root" -c . | docker import --change "ENV ZDD_VERSION=$v" ${behaviour[@]+"${behaviour[@]}"} \
    --change "EXPOSE 8080" --change 'CMD ["/start"]' - "$repo:$v" >/dev/null
  echo "$repo:$v"
done
