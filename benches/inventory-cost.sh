#!/usr/bin/env bash
# What the package inventory adds to a scan (best of N wall times):
#   (a) the Debian bookworm minbase image of scan-vs-gunzip.sh (~90 packages),
#       `--scanners ''` against `--scanners packages`;
#   (b) an image with 20,000 node_modules/*/package.json files, the same two ways.
#
#   bash benches/inventory-cost.sh [WORK_DIR]    (default /tmp/bosun-bench; run scan-vs-gunzip.sh first for (a))
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/bosun-bench}
runs=${RUNS:-7}
source "$repo/benches/common.sh"
bosun="$repo/target/release/bosun"
[ -x "$bosun" ] || (cd "$repo" && cargo build --release --locked)
"$bosun" plugins >/dev/null   # compile and cache the plugins first

if [ ! -f "$work/node-modules/index.json" ]; then
    mkdir -p "$work"
    python3 - "$work/node-modules.tar.gz" <<'PY'
import gzip, io, json, sys, tarfile
with open(sys.argv[1], "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz, \
        tarfile.open(fileobj=gz, mode="w") as tar:
    for i in range(20_000):
        data = json.dumps({"name": f"pkg-{i}", "version": f"1.{i % 100}.{i % 7}", "license": "MIT",
                           "description": "x" * 200, "main": "index.js"}).encode()
        info = tarfile.TarInfo(f"app/node_modules/pkg-{i}/package.json")
        info.size, info.mtime = len(data), 1_700_000_000
        tar.addfile(info, io.BytesIO(data))
        index = b"module.exports = {};\n"
        info = tarfile.TarInfo(f"app/node_modules/pkg-{i}/index.js")
        info.size, info.mtime = len(index), 1_700_000_000
        tar.addfile(info, io.BytesIO(index))
PY
    python3 "$repo/fixtures/build.py" --wrap "$work/node-modules.tar.gz" "$work/node-modules"
fi

for image in "$work/image" "$work/node-modules"; do
    [ -f "$image/index.json" ] || { echo "$image: missing (run benches/scan-vs-gunzip.sh first)"; continue; }
    none=$(best "$bosun" scan -q --scanners '' -f json "$image")
    with=$(best "$bosun" scan -q --scanners packages -f json "$image")
    count=$("$bosun" scan -q --scanners packages -f json "$image" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["images"][0].get("packages", [])))')
    printf '%s: %d packages; no plugin %.3f s, packages %.3f s, inventory adds %.0f ms\n' \
        "$(basename "$image")" "$count" "$none" "$with" "$(echo "($with - $none) * 1000" | bc -l)"
done
