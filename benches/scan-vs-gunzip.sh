#!/usr/bin/env bash
# Throughput and memory of `bosun scan` against the decompression floor.
#
#   benches/scan-vs-gunzip.sh [WORK_DIR]     (default /tmp/bosun-bench; needs root for debootstrap)
#
# Builds a Debian bookworm minbase root filesystem with debootstrap from the
# apt mirror this machine is configured with, packs it as a one-layer OCI
# image outside the repository, then times, on the same machine:
#   (a) the floor: `gzip -dc` of the layer to /dev/null;
#   (b) `bosun scan` with only the no-op plugin, which asks for every regular file;
#   (c) `bosun scan` with no plugin at all (read, verify, walk: the host's floor);
#   (d) `bosun scan` with the built-in plugins, for scale.
# It prints best-of-N wall times, the ratio (b)/(a), bosun's peak RSS, and the
# per-file dispatch overhead ((b) - (c)) / files handed to the plugin.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/bosun-bench}
runs=${RUNS:-5}
mkdir -p "$work"

if [ ! -f "$work/layer.tar.gz" ]; then
    command -v debootstrap >/dev/null && command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap bc; }
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
    rm -rf "$work/rootfs"
    debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1
    tar --numeric-owner --sort=name -C "$work/rootfs" -cf - . | gzip -6 -n >"$work/layer.tar.gz"
fi
if [ ! -f "$work/image/index.json" ]; then
    python3 "$repo/fixtures/build.py" --wrap "$work/layer.tar.gz" "$work/image"
fi

(cd "$repo" && cargo build --release -q)
bosun="$repo/target/release/bosun"
noop="$repo/target/plugins/wasm32-wasip2/release/bosun_test_noop.wasm"
export XDG_CACHE_HOME="$work/cache"
"$bosun" scan -q --scanners '' --plugin "$noop" "$work/image" >/dev/null  # warm the plugin cache and page cache

source "$repo/benches/common.sh"

floor=$(best gzip -dc "$work/layer.tar.gz")
noop_time=$(best "$bosun" scan -q -f json --scanners '' --plugin "$noop" "$work/image")
bare_time=$(best "$bosun" scan -q -f json --scanners '' "$work/image")
full_time=$(best "$bosun" scan -q -f json "$work/image")
report=$("$bosun" scan -q -f json --timings --scanners '' --plugin "$noop" "$work/image")
full_report=$("$bosun" scan -q -f json --timings "$work/image")
read -r files analyzed rss < <(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); s=r["images"][0]["stats"]; print(s["files"], s["files_analyzed"], r["timings"]["peak_rss_kib"])' "$report")
full_rss=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["timings"]["peak_rss_kib"])' "$full_report")

echo "machine:        $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "image:          debian bookworm minbase, layer $(du -m "$work/layer.tar.gz" | cut -f1) MiB gzip, $(gzip -dc "$work/layer.tar.gz" | wc -c | awk '{printf "%.0f", $1/1048576}') MiB tar, $files files"
echo "(a) gzip -dc:                 ${floor} s"
echo "(b) bosun scan, no-op plugin: ${noop_time} s   ratio (b)/(a) = $(echo "$noop_time / $floor" | bc -l | xargs printf '%.2f')   peak RSS $((rss / 1024)) MiB"
echo "(c) bosun scan, no plugin:    ${bare_time} s"
echo "(d) bosun scan, built-ins:    ${full_time} s   peak RSS $((full_rss / 1024)) MiB"
echo "per-file dispatch overhead:   $(echo "($noop_time - $bare_time) * 1000000 / $analyzed" | bc -l | xargs printf '%.1f') us over $analyzed files"
