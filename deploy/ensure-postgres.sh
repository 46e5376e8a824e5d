#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs (initdb, pg_ctl) are installed, for the tests that run
# Berth's journal on a real PostgreSQL: each test run starts its own server on loopback in a
# temporary directory, so no system service is needed. Safe to run twice.
set -euo pipefail

say() { echo "ensure-postgres: $*" >&2; }

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  exit 0
fi
say "PostgreSQL is not installed. Install it (Debian/Ubuntu: 'apt-get install postgresql')."
exit 1
