#!/usr/bin/env bash
# Berth's first benchmark (see BENCHMARKS.md): cold start and warm requests, each through Berth
# and straight to Docker / the container, in one run.
#
#   bench/run.sh            from any directory; takes about 2.5 minutes
#
# It builds the node if its jars are missing, makes sure a Docker engine and the example
# image exist, starts its own Berth node in the background (free ports from 18080 / 12552, a
# temporary data directory, a unique node id), measures, prints a markdown report and writes it
# to bench/results/latest.md (the node's log to bench/results/node.log), then stops that node by
# its PID and removes the containers it made.
#
# Env (all optional): BENCH_RUNS (cold starts per path, 10; 0 skips them), BENCH_CONNECTIONS (16),
#   BENCH_SECONDS (warm run per target, 10; 0 skips it), BENCH_SEQ_SECONDS (1-connection run per
#   target, 4), BENCH_WARMUP_SECONDS (direct warm-up, 3), BENCH_BERTH_WARMUP_SECONDS (warm-up
#   through Berth, 60: the node's JIT needs about a minute of load on two cores),
#   BENCH_HTTP_PORT (18080), BENCH_CLUSTER_PORT (12552),
#   BENCH_NODE_JAVA_OPTS (JVM options for the node, none by default, as `deploy/berth up`),
#   BENCH_BUILD (1: run `mvn -q -DskipTests install` even when the jars exist),
#   BERTH_APP_IMAGE (tenant image, berth/example-app:latest).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { echo "bench: $*" >&2; }

runs="${BENCH_RUNS:-10}"
connections="${BENCH_CONNECTIONS:-16}"
seconds="${BENCH_SECONDS:-10}"
seq_seconds="${BENCH_SEQ_SECONDS:-4}"
warmup_seconds="${BENCH_WARMUP_SECONDS:-3}"
berth_warmup_seconds="${BENCH_BERTH_WARMUP_SECONDS:-60}"
image="${BERTH_APP_IMAGE:-berth/example-app:latest}"
node_java_opts="${BENCH_NODE_JAVA_OPTS:-}"

# ---- build what is missing ------------------------------------------------------------------
# Only when missing (or BENCH_BUILD=1): a checkout being edited need not compile at every moment,
# and the bench measures the jars that are there.
jar="$(ls http-edge/target/http-edge-*.jar 2>/dev/null | head -n 1 || true)"
if [ -z "$jar" ] || [ ! -d http-edge/target/lib ] || [ "${BENCH_BUILD:-0}" = 1 ]; then
  say "building the node (mvn -q -DskipTests install)"
  mvn -B -q -DskipTests install
  jar="$(ls http-edge/target/http-edge-*.jar | head -n 1)"
elif [ -n "$(find pom.xml {container-driver,platform-core,http-edge}/{pom.xml,src/main} \
             -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; then
  say "note: some sources are newer than $jar; measuring the jar as built (BENCH_BUILD=1 rebuilds)"
fi

# ---- engine and image -----------------------------------------------------------------------
deploy/ensure-docker.sh
BERTH_APP_IMAGE="$image" deploy/images/build-example-app.sh >&2

# ---- everything this run owns ---------------------------------------------------------------
node_id="bench-$(date +%s)-$RANDOM"
work="$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")"
node_log="$work/node.log"
node_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    say "stopping the node (pid $node_pid)"
    kill -TERM "$node_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$node_pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$node_pid" 2>/dev/null; then
      say "the node did not stop within 30 s; killing pid $node_pid"
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

# The node and the bench run from a copy of the jars: a build running meanwhile in this checkout
# (tests, an IDE) would otherwise replace them under the running JVMs.
mkdir -p "$work/cp"
cp "$jar" "$work/cp/"
cp -r http-edge/target/lib "$work/cp/lib"
node_cp="$work/cp/$(basename "$jar"):$work/cp/lib/*"
bench_cp="$work/cp/lib/*"

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
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# The node gets exactly the settings the direct path uses; nothing from the caller's environment
# that would change what is measured (a short sleep-after, another network, a shared journal...).
say "starting Berth node $node_id on http 127.0.0.1:$http_port, cluster $cluster_port"
env -u BERTH_SEED_NODES -u BERTH_JDBC_URL -u BERTH_BASE_DOMAIN -u BERTH_ADMIN_TOKEN \
    -u BERTH_PROBE_PATH -u BERTH_START_TIMEOUT -u JAVA_TOOL_OPTIONS \
    BERTH_HTTP_HOST=127.0.0.1 BERTH_HTTP_PORT="$http_port" \
    BERTH_CLUSTER_HOST=127.0.0.1 BERTH_CLUSTER_PORT="$cluster_port" \
    BERTH_DATA_DIR="$work/data" BERTH_NODE_ID="$node_id" BERTH_ADVERTISED_HOST=127.0.0.1 \
    BERTH_APP_IMAGE="$image" BERTH_APP_PORT=8080 BERTH_INSTANCE_TYPE=standard \
    BERTH_DOCKER_NETWORK=berth BERTH_SLEEP_AFTER=30m BERTH_MAX_INSTANCES=50 \
    java $node_java_opts -cp "$node_cp" dev.berth.edge.BerthNode \
    >"$node_log" 2>&1 </dev/null &
node_pid=$!

started=$SECONDS
deadline=$((SECONDS + 90))
until curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$http_port/"; do
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
say "node is up after $((SECONDS - started)) s (pid $node_pid)"

# ---- measure --------------------------------------------------------------------------------
report="$work/report.md"
env -u JAVA_TOOL_OPTIONS java -Dlogback.configurationFile="$root/bench/logback-bench.xml" \
    -cp "$bench_cp" bench/src/Bench.java \
    --berth-url "http://127.0.0.1:$http_port" --node-id "$node_id" --berth-pid "$node_pid" \
    --image "$image" --app-port 8080 --network berth \
    --runs "$runs" --connections "$connections" --seconds "$seconds" \
    --seq-seconds "$seq_seconds" --warmup-seconds "$warmup_seconds" \
    --berth-warmup-seconds "$berth_warmup_seconds" >"$report"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

docker_version="$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
java_version="$(java -version 2>&1 | head -n 1)"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no commit yet')"
if [ -n "$(git -C "$root" status --porcelain 2>/dev/null | head -n 1)" ]; then
  commit="$commit (with uncommitted changes)"
fi
image_created="$(docker image inspect --format '{{.Created}}' "$image" 2>/dev/null | cut -c1-19 || echo '?')"
mkdir -p bench/results
{
  echo "# Berth benchmark results"
  echo
  echo "- run: $(date -u '+%Y-%m-%d %H:%M UTC'), checkout at commit $commit, node jar built $(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr); load average (1/5/15 min) $load_before before, $load_after after"
  echo "- Docker $docker_version, $java_version; node JVM options: ${node_java_opts:-none}"
  echo "- tenant image: $image (built $image_created), instance type standard"
  echo "- settings: $runs cold starts per path; warm: 1 connection for $seq_seconds s and $connections connections for $seconds s per target"
  echo
  cat "$report"
} >bench/results/latest.md
cat bench/results/latest.md
say "written to bench/results/latest.md"
