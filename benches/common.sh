# Shared by the benchmark scripts (they `source "$repo/benches/common.sh"`).

# best CMD...: the best wall time in seconds of CMD over $runs runs,
# output discarded; a failing command still counts (scanners exit non-zero
# when they find something).
best() {
    local best=999999 start end t
    for _ in $(seq "$runs"); do
        start=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc -l)
        best=$(echo "if ($t < $best) $t else $best" | bc -l)
    done
    printf '%.3f' "$best"
}
