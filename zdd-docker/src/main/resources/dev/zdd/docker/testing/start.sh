#!/bin/sh
# Entry point of zdd's test image (busybox only). Environment:
#   ZDD_VERSION   the version served by GET / (default: unknown)
#   ZDD_HEALTHY   "false" makes /health answer 404, so a health check fails
#   ZDD_EXIT      when set, print it as a fatal error and exit with code 3 after ZDD_EXIT_AFTER seconds (default 0)
#   ZDD_PORT      the port to listen on (default 8080)
echo "zdd test app: starting version ${ZDD_VERSION:-unknown}"
if [ -n "$ZDD_EXIT" ]; then
  sleep "${ZDD_EXIT_AFTER:-0}"
  echo "fatal: $ZDD_EXIT" >&2
  exit 3
fi
mkdir -p /www
echo "${ZDD_VERSION:-unknown}" > /www/index.html
if [ "$ZDD_HEALTHY" != "false" ]; then
  echo ok > /www/health
else
  echo "health endpoint disabled (ZDD_HEALTHY=false)"
fi
exec /bin/busybox httpd -f -p "${ZDD_PORT:-8080}" -h /www
