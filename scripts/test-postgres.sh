#!/usr/bin/env bash
# Installs (Debian) and starts a local PostgreSQL for the contract tests, and prints the URL the
# tests read from SWITCHYARD_TEST_POSTGRES_URL. Safe to run again: it only does what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "Installing PostgreSQL (Debian's postgresql)…" >&2
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  $SUDO pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  $SUDO pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
  if as_postgres "psql -qAtc 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
as_postgres "psql -qc \"ALTER USER postgres PASSWORD 'switchyard'\"" >/dev/null
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
echo "postgres://postgres:switchyard@127.0.0.1:${port}/postgres"
