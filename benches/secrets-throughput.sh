#!/usr/bin/env bash
# Throughput of the secrets plugin inside the sandbox, and the same tree
# through gitleaks, on one core.
#
#   benches/secrets-throughput.sh [WORK_DIR]   (default /tmp/secrets-corpora; run secrets-accuracy.sh first)
#
# Corpus: the four PHP web applications of the accuracy run (WordPress,
# phpMyAdmin, DokuWiki, MediaWiki) side by side under /var/www: mixed PHP,
# JavaScript, JSON, CSS and text. bosun runs with one worker, once with the
# secrets plugin and once with no plugin; the difference is the plugin's cost,
# and the bytes it was handed divided by that cost is its throughput per core.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/secrets-corpora}
runs=${RUNS:-3}
corpus="$work/trees/webapps"
if [ ! -d "$corpus/var/www" ]; then
    mkdir -p "$corpus/var/www"
    for app in wordpress phpmyadmin dokuwiki mediawiki; do
        cp -a "$work/trees/$app/var/www/$app" "$corpus/var/www/$app"
    done
fi
(cd "$repo" && cargo build --release -q)
bosun="$repo/target/release/bosun"
export XDG_CACHE_HOME="$work/cache"
"$bosun" scan -q --scanners secrets "dir:$corpus" >/dev/null || true  # warm caches

source "$repo/benches/common.sh"

with=$(best "$bosun" scan -q -f json --workers 1 --scanners secrets "dir:$corpus")
without=$(best "$bosun" scan -q -f json --workers 1 --scanners '' --plugin "$repo/target/plugins/wasm32-wasip2/release/bosun_test_noop.wasm" "dir:$corpus")
read -r files bytes < <("$bosun" scan -q -f json --workers 1 --scanners secrets "dir:$corpus" |
    python3 -c 'import json,sys; s=json.load(sys.stdin)["images"][0]["stats"]; print(s["files_analyzed"], s["bytes_analyzed"])')
mib=$(echo "$bytes / 1048576" | bc -l)
echo "machine:   $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "corpus:    4 PHP web applications, $files files ($(printf '%.1f' "$mib") MiB) handed to the plugin"
echo "bosun, 1 worker, secrets plugin:        ${with} s"
echo "bosun, 1 worker, no-op plugin (floor):  ${without} s"
echo "in-sandbox secrets throughput:          $(echo "$mib / ($with - $without)" | bc -l | xargs printf '%.0f') MiB/s per core"
gitleaks=$(find "$work/venv" -type f -name gitleaks -perm -u+x 2>/dev/null | head -1)
if [ -n "$gitleaks" ]; then
    all_mib=$(du -sm "$corpus" | cut -f1)
    g=$(best taskset -c 0 "$gitleaks" dir "$corpus" --no-banner --exit-code 0 --report-path "$work/gitleaks-throughput.json")
    echo "gitleaks dir, 1 core, whole tree (${all_mib} MiB): ${g} s  ($(echo "$all_mib / $g" | bc -l | xargs printf '%.0f') MiB/s)"
fi
