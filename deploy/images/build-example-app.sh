#!/usr/bin/env bash
# Builds the FROM scratch image of the example tenant app, offline:
#   jar (Maven, only when stale) + a jlinked JDK (java.base, jdk.httpserver, CDS archive)
#   + the shared libraries ldd names + /etc/passwd, /etc/group, /tmp.
# Skips the build when the image's inputs label already matches (jar + this script + jlink/libc).
# Env: BERTH_APP_IMAGE (default berth/example-app:latest), JAVA_HOME (to pick the jlink).
set -euo pipefail
umask 022

image="${BERTH_APP_IMAGE:-berth/example-app:latest}"
label_key="berth.example-app.inputs"
script_path="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
root="$(cd "$(dirname "$script_path")/../.." && pwd)"
jar="$root/example-app/target/example-app.jar"

say() { echo "build-example-app: $*" >&2; }
die() { say "$*"; exit 1; }
trap 'say "failed (exit $?) at line $LINENO"' ERR

command -v docker >/dev/null 2>&1 || die "docker is not installed (see deploy/ensure-docker.sh)"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "no Docker engine answers; run deploy/ensure-docker.sh"

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ]; then
  jlink="$JAVA_HOME/bin/jlink"
elif command -v jlink >/dev/null 2>&1; then
  jlink="$(command -v jlink)"
elif [ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/jlink ]; then
  jlink=/usr/lib/jvm/java-17-openjdk-amd64/bin/jlink
else
  die "jlink not found: set JAVA_HOME to a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"
fi
# The JDK's release file names the exact build and is quicker to read than starting jlink.
jdk_release="$(dirname "$(dirname "$(readlink -f "$jlink")")")/release"
jlink_version="$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$jdk_release" 2>/dev/null || true)"
[ -n "$jlink_version" ] || jlink_version="$("$jlink" --version)"
case "$jlink_version" in
  17|17.*) ;;
  *) say "warning: jlink is $jlink_version, not 17; the image's JVM will be that version" ;;
esac

# 1. The jar, rebuilt only when a source or the module pom is newer than it.
if [ ! -f "$jar" ] || [ -n "$(find "$root/example-app/src" "$root/example-app/pom.xml" -newer "$jar" -print -quit)" ]; then
  say "building $jar"
  mvn -B -q -f "$root/pom.xml" -pl example-app package -DskipTests
  [ -f "$jar" ] || die "maven finished but $jar is missing"
fi

# 2. Up to date? The inputs are the jar, this script, the JDK and the C library copied in.
inputs="$(
  {
    sha256sum <"$jar"
    sha256sum <"$script_path"
    echo "jlink $jlink_version $(readlink -f "$jlink")"
    ldd --version 2>&1 | sed -n 1p # not head: an early-closed pipe would fail under pipefail
  } | sha256sum | cut -d' ' -f1
)"
current="$(docker image inspect --format "{{ index .Config.Labels \"$label_key\" }}" "$image" 2>/dev/null || true)"
if [ "$current" = "$inputs" ]; then
  echo "$image is up to date"
  exit 0
fi

# 3. Assemble the root file system in a temp dir, which is also the build context.
work="$(mktemp -d "${TMPDIR:-/tmp}/berth-example-app.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs/app" "$rootfs/etc" "$rootfs/tmp"

say "jlink $jlink_version (java.base, jdk.httpserver, CDS archive)"
# The CDS step warns about classes of modules left out (java.logging); only show that on failure.
if ! "$jlink" --add-modules java.base,jdk.httpserver \
    --strip-debug --no-man-pages --no-header-files --compress=2 \
    --generate-cds-archive --output "$rootfs/opt/java" >"$work/jlink.log" 2>&1; then
  cat "$work/jlink.log" >&2
  die "jlink failed"
fi
# Only used when compressed oops are off (heaps over 32 GB); never the case for a tenant.
rm -f "$rootfs/opt/java/lib/server/classes_nocoops.jsa"

# Every library the launcher and the JDK's own .so files need, at the path ldd resolved.
# Files inside opt/java are found through $ORIGIN and need nothing.
libs="$(
  {
    ldd "$rootfs/opt/java/bin/java"
    find "$rootfs/opt/java/lib" -name '*.so' -exec ldd {} \;
  } | awk '
    $2 == "=>" && $3 ~ /^\// { print $3 }
    $1 ~ /^\// { print $1 }
  ' | grep -v "^$rootfs/" | sort -u
)"
[ -n "$libs" ] || die "ldd listed no libraries for $rootfs/opt/java/bin/java"
for lib in $libs; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
grep -q 'ld-linux' <<<"$libs" || die "ldd did not name the dynamic loader; cannot build a scratch image"

cp "$jar" "$rootfs/app/example-app.jar"
printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001:app:/app:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:10001:\n' >"$rootfs/etc/group"
# Without it glibc asks DNS before /etc/hosts; tenants have no DNS server to ask.
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"

cat >"$work/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
USER 10001:10001
WORKDIR /app
ENV PORT=8080 JAVA_HOME=/opt/java
EXPOSE 8080
LABEL $label_key="$inputs"
ENTRYPOINT ["/opt/java/bin/java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-jar", "/app/example-app.jar"]
EOF

old_id="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
say "docker build $image"
# The legacy builder needs no registry and no BuildKit frontend image.
if ! DOCKER_BUILDKIT=0 docker build -q -t "$image" "$work" >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  die "docker build failed"
fi

# Drop the image this one replaced, unless a container or another tag still uses it.
new_id="$(docker image inspect --format '{{.Id}}' "$image")"
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi

size="$(docker image inspect --format '{{.Size}}' "$image")"
echo "$image built: $((size / 1000000)) MB ($size bytes)"
