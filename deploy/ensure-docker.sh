#!/usr/bin/env bash
# Makes sure a Docker engine answers, starting or installing one if needed. Safe to run twice.
#   - an engine answers (DOCKER_HOST or the default socket): nothing to do;
#   - dockerd is installed: start it in the background, log under the data directory;
#   - Debian/Ubuntu as root: install docker.io, then start it;
#   - otherwise: exit non-zero and say what to install.
set -euo pipefail

data_dir="${BERTH_DATA_DIR:-./data}"
wait_seconds="${BERTH_DOCKER_WAIT_SECONDS:-60}"

engine_answers() { docker info >/dev/null 2>&1; }

say() { echo "ensure-docker: $*" >&2; }

if ! command -v docker >/dev/null 2>&1 && ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "no Docker found; installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker.io >/dev/null
  else
    say "no Docker engine found. Install Docker (Debian/Ubuntu: 'apt-get install docker.io') and start it."
    exit 1
  fi
fi

if engine_answers; then
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ]; then
  say "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST."
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "the docker client is here but no engine; installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker.io >/dev/null
    engine_answers && exit 0
  else
    say "no engine answers and dockerd is not installed. Install Docker (Debian/Ubuntu: 'apt-get install docker.io')."
    exit 1
  fi
fi

if [ "$(id -u)" != 0 ]; then
  say "no engine answers and starting dockerd needs root. Start Docker (e.g. 'sudo systemctl start docker')."
  exit 1
fi

# A killed dockerd leaves its pid file behind, and the next one refuses to start while it exists.
pid_file=/var/run/docker.pid
if [ -f "$pid_file" ] && ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  say "removing stale $pid_file"
  rm -f "$pid_file"
fi

mkdir -p "$data_dir"
log="$data_dir/dockerd.log"
say "starting dockerd in the background (log: $log)"
nohup dockerd >>"$log" 2>&1 </dev/null &

for _ in $(seq 1 $((wait_seconds * 5))); do
  if engine_answers; then
    say "engine is up"
    exit 0
  fi
  sleep 0.2
done
say "dockerd did not answer within ${wait_seconds}s; last lines of $log:"
tail -n 20 "$log" >&2 || true
exit 1
