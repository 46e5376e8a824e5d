#!/usr/bin/env bash
# Berth's first benchmark (see BENCHMARKS.md): cold start and warm requests, each through Berth
# and straight to Docker / the container, in one run.
#
#   bench/run.sh            from any directory; takes about 1.5-3 minutes
#
# It builds the node if its jars are missing or stale, makes sure a Docker engine and the example
# image exist, starts its own Berth node in the background (free ports from 18080 / 12552, a
# temporary data directory, a unique node id), measures, prints a markdown report and writes it
# to bench/results/latest.md, then stops that node by its PID and removes the containers it made.
#
# Env (all optional): BENCH_RUNS (cold starts per path, 10), BENCH_CONNECTIONS (16),
#   BENCH_SECONDS (warm run per target, 10), BENCH_SEQ_SECONDS (1-connection run per target, 4),
#   BENCH_WARMUP_SECONDS (3), BENCH_HTTP_PORT (18080), BENCH_CLUSTER_PORT (12552),
#   BERTH_APP_IMAGE (berth/example-app:latest).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { echo "bench: $*" >&2; }

runs="${BENCH_RUNS:-10}"
connections="${BENCH_CONNECTIONS:-16}"
seconds="${BENCH_SECONDS:-10}"
seq_seconds="${BENCH_SEQ_SECONDS:-4}"
warmup_seconds="${BENCH_WARMUP_SECONDS:-3}"
image="${BERTH_APP_IMAGE:-berth/example-app:latest}"

# ---- build what is missing ------------------------------------------------------------------
jar="$(ls http-edge/target/http-edge-*.jar 2>/dev/null | head -n 1 || true)"
if [ -z "$jar" ] || [ ! -d http-edge/target/lib ] \
    || [ -n "$(find pom.xml {container-driver,platform-core,http-edge}/{pom.xml,src/main} \
               -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; then
  say "building the node (mvn -q -DskipTests install)"
  mvn -B -q -DskipTests install
  jar="$(ls http-edge/target/http-edge-*.jar | head -n 1)"
fi

# ---- engine and image -----------------------------------------------------------------------
deploy/ensure-docker.sh
BERTH_APP_IMAGE="$image" deploy/images/build-example-app.sh >&2

# ---- free ports -----------------------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p="$1"
  while port_in_use "$p"; do
    p=$((p + 1))
  done
  echo "$p"
}
http_port="$(free_port "${BENCH_HTTP_PORT:-18080}")"
cluster_port="$(free_port "${BENCH_CLUSTER_PORT:-12552}")"
[ "$cluster_port" = "$http_port" ] && cluster_port="$(free_port $((http_port + 1)))"

# ---- the node -------------------------------------------------------------------------------
node_id="bench-$(date +%s)-$RANDOM"
work="$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")"
node_log="$work/node.log"
node_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    say "stopping node (pid $node_pid)"
    kill -TERM "$node_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$node_pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$node_pid" 2>/dev/null; then
      say "node did not stop within 30 s; killing pid $node_pid"
      kill -KILL "$node_pid" 2>/dev/null || true
    fi
    wait "$node_pid" 2>/dev/null || true
  fi
  local left
  left="$(docker ps -aq --filter "label=berth.node=$node_id" 2>/dev/null || true)"
  if [ -n "$left" ]; then
    say "removing $(echo "$left" | wc -l) container(s) labelled berth.node=$node_id"
    echo "$left" | xargs -r docker rm -f >/dev/null 2>&1 || true
  fi
  if [ -f "$node_log" ]; then
    mkdir -p "$root/bench/results"
    cp "$node_log" "$root/bench/results/node.log" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The node gets exactly the settings the direct path uses; nothing from the caller's environment
# that would change what is measured (a short sleep-after, another network, a shared journal...).
say "starting Berth node $node_id on http 127.0.0.1:$http_port, cluster $cluster_port (log: bench/results/node.log)"
env -u BERTH_SEED_NODES -u BERTH_JDBC_URL -u BERTH_BASE_DOMAIN -u BERTH_ADMIN_TOKEN \
    -u BERTH_PROBE_PATH -u BERTH_START_TIMEOUT \
    BERTH_HTTP_HOST=127.0.0.1 BERTH_HTTP_PORT="$http_port" \
    BERTH_CLUSTER_HOST=127.0.0.1 BERTH_CLUSTER_PORT="$cluster_port" \
    BERTH_DATA_DIR="$work/data" BERTH_NODE_ID="$node_id" BERTH_ADVERTISED_HOST=127.0.0.1 \
    BERTH_APP_IMAGE="$image" BERTH_APP_PORT=8080 BERTH_INSTANCE_TYPE=standard \
    BERTH_DOCKER_NETWORK=berth BERTH_SLEEP_AFTER=30m BERTH_MAX_INSTANCES=50 \
    java ${BENCH_NODE_JAVA_OPTS:-} -cp "$jar:http-edge/target/lib/*" dev.berth.edge.BerthNode \
    >"$node_log" 2>&1 </dev/null &
node_pid=$!

deadline=$((SECONDS + 90))
until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$http_port/"; do
  if ! kill -0 "$node_pid" 2>/dev/null; then
    say "the node exited during start-up; last lines of its log:"
    tail -n 30 "$node_log" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "the node did not answer within 90 s; last lines of its log:"
    tail -n 30 "$node_log" >&2
    exit 1
  fi
  sleep 0.2
done
say "node is up"

# ---- measure --------------------------------------------------------------------------------
report="$work/report.md"
java -Dlogback.configurationFile="$root/bench/logback-bench.xml" \
    -cp "http-edge/target/lib/*" bench/src/Bench.java \
    --berth-url "http://127.0.0.1:$http_port" --node-id "$node_id" --berth-pid "$node_pid" \
    --image "$image" --app-port 8080 --network berth \
    --runs "$runs" --connections "$connections" --seconds "$seconds" \
    --seq-seconds "$seq_seconds" --warmup-seconds "$warmup_seconds" >"$report"

docker_version="$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
java_version="$(java -version 2>&1 | head -n 1)"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
if [ -n "$(git -C "$root" status --porcelain 2>/dev/null | head -n 1)" ]; then
  commit="$commit (with uncommitted changes)"
fi
mkdir -p bench/results
{
  echo "# Berth benchmark results"
  echo
  echo "- run: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
  echo "- machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)"
  echo "- Docker $docker_version, $java_version"
  echo "- settings: $runs cold starts per path; warm: 1 connection for $seq_seconds s and $connections connections for $seconds s per target, after $warmup_seconds s warm-up; image $image (instance type standard)"
  echo
  cat "$report"
} >bench/results/latest.md
cat bench/results/latest.md
say "written to bench/results/latest.md"
