#!/usr/bin/env bash
# Checks deploy/switchyard.service: always its syntax (systemd-analyze verify, with the unit
# pointed at this build's binary); where systemd runs as PID 1 and we are root, also installs it
# under a temporary name, starts it, waits for /readyz, stops it (SIGTERM) and removes it.
#   deploy/test-systemd.sh [BINARY]
set -euo pipefail
binary=$(realpath "${1:-.build/debug/switchyard}")
[ -x "$binary" ] || { echo "no binary at $binary: build first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unit=switchyard-test-$$.service
sed -e "s#/usr/local/bin/switchyard#$binary#g" deploy/switchyard.service >"$work/$unit"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is missing: apt-get install systemd" >&2; exit 2; }
systemd-analyze verify "$work/$unit"
echo "unit syntax: verified"
if [ ! -d /run/systemd/system ] || [ "$(id -u)" != 0 ]; then
  echo "systemd is not running here (or not as root): the unit was not started"
  exit 0
fi
port=18765
sed -i -e "s#^ExecStart=.*#ExecStart=$binary serve --port $port --database sqlite:/var/lib/switchyard/switchyard.sqlite#" \
  -e "s#^User=.*#User=root#" -e "s#^Group=.*#Group=root#" "$work/$unit"
cp "$work/$unit" /etc/systemd/system/
trap 'systemctl stop "$unit" 2>/dev/null || true; rm -f "/etc/systemd/system/$unit"; systemctl daemon-reload; rm -rf "$work"' EXIT
systemctl daemon-reload
systemctl start "$unit"
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/readyz"
echo
systemctl stop "$unit"
echo "unit started, answered /readyz and stopped"
