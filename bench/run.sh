#!/usr/bin/env bash
# End-to-end benchmark of vigie against a local CKAN emulator (ckanfake).
#
# For each catalogue size it starts ckanfake on loopback, then times, with
# /usr/bin/time: a full harvest, an incremental harvest with nothing changed,
# a link check of every URL (twice: the second one, like a nightly run, starts
# from every URL's previous state), scoring, and each report format. It prints one
# Markdown table (wall time, datasets/s, peak RSS, database size, output size)
# and keeps it in $BENCH_DIR/results.md.
#
# Usage:
#   bench/run.sh                 # 1,000, 10,000 and 100,000 datasets
#   bench/run.sh 1000 10000      # chosen sizes
#
# Environment:
#   BENCH_DIR     working folder (default: a new temporary folder)
#   LINK_LATENCY  delay of every link target answer (default 0s)
#   BROKEN        share of link targets answering 404/500 (default 5%)
#   CONCURRENCY   vigie links --concurrency (default 64)
#   PER_HOST      vigie links --per-host; every link target is one loopback host (default 16)
#   SEED          catalogue seed (default 1)
#
# Needs only the Go toolchain and standard Unix tools. Peak RSS comes from
# GNU time (/usr/bin/time); without it the column reads "n/a".
set -euo pipefail

cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-bench.XXXXXX")}
mkdir -p "$dir"
latency=${LINK_LATENCY:-0s}
broken=${BROKEN:-5%}
concurrency=${CONCURRENCY:-64}
perhost=${PER_HOST:-16}
seed=${SEED:-1}

echo "building vigie and ckanfake into $dir" >&2
go build -o "$dir/vigie" ./cmd/vigie
go build -o "$dir/ckanfake" ./cmd/ckanfake
vigie=$dir/vigie

gnutime=
if [ -x /usr/bin/time ] && /usr/bin/time -f '%e' true >/dev/null 2>&1; then
	gnutime=/usr/bin/time
fi

fake_pid=
stop_fake() {
	if [ -n "$fake_pid" ]; then
		kill -INT "$fake_pid" 2>/dev/null || true
		wait "$fake_pid" 2>/dev/null || true
		fake_pid=
	fi
}
trap stop_fake EXIT

bytes() { # total size of files or folders, in bytes
	local total=0 f s
	for f in "$@"; do
		[ -e "$f" ] || continue
		s=$(du -sb "$f" | cut -f1)
		total=$((total + s))
	done
	echo "$total"
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
human() { awk -v b="$1" 'BEGIN { if (b < 1048576) printf "%.0f KiB", b / 1024; else printf "%.1f MiB", b / 1048576 }'; }

results=$dir/results.md
{
	echo "| datasets | stage | wall (s) | datasets/s | peak RSS (MiB) | database (MiB) | output |"
	echo "|---:|---|---:|---:|---:|---:|---|"
} >"$results"

# run_stage N LABEL OUTPUT-PATH -- command...: times the command, appends a row.
run_stage() {
	local n=$1 label=$2 out=$3
	shift 4
	local tf=$dir/time.$$ log=$dir/$n-$label.log wall rss status=0
	local start end
	start=$(date +%s.%N)
	if [ -n "$gnutime" ]; then
		"$gnutime" -f '%e %M' -o "$tf" "$@" >"$log" 2>&1 || status=$?
	else
		"$@" >"$log" 2>&1 || status=$?
	fi
	end=$(date +%s.%N)
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
	rss=n/a
	if [ -n "$gnutime" ] && [ -s "$tf" ]; then
		rss=$(awk '{ printf "%.0f", $NF / 1024 }' "$tf")
	fi
	rm -f "$tf"
	local rate outsize=""
	rate=$(awk -v n="$n" -v w="$wall" 'BEGIN { if (w > 0) printf "%.0f", n / w; else print "-" }')
	if [ -n "$out" ] && [ -e "$out" ]; then
		outsize=$(human "$(bytes "$out")")
	fi
	if [ "$status" -ne 0 ]; then
		outsize="FAILED (exit $status, see $log)"
		echo "$label failed at $n datasets: $(tail -n 3 "$log")" >&2
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$label" "$wall" "$rate" "$rss" \
		"$(mib "$(bytes "$db" "$db-wal")")" "$outsize" | tee -a "$results"
}

have() { "$vigie" "$1" --help >/dev/null 2>&1; }

for n in "${sizes[@]}"; do
	db=$dir/vigie-$n.db
	rm -f "$db" "$db-wal" "$db-shm"
	out=$dir/out-$n
	rm -rf "$out"
	mkdir -p "$out"

	urls=$dir/ckanfake-$n.urls
	: >"$urls"
	"$dir/ckanfake" --datasets "$n" --seed "$seed" --store --link-latency "$latency" --broken "$broken" \
		>"$urls" 2>"$dir/ckanfake-$n.log" &
	fake_pid=$!
	for _ in $(seq 1 600); do
		[ "$(wc -l <"$urls")" -ge 2 ] && break
		kill -0 "$fake_pid" 2>/dev/null || { cat "$dir/ckanfake-$n.log" >&2; exit 1; }
		sleep 0.5
	done
	api=$(sed -n '1s/^CKAN API: //p' "$urls")
	[ -n "$api" ] || { echo "ckanfake did not start" >&2; exit 1; }
	echo "== $n datasets: portal $api" >&2

	common=(--db "$db" --portal "$api" --quiet)
	run_stage "$n" harvest-full "" -- "$vigie" harvest "${common[@]}" --full --rate 0
	run_stage "$n" harvest-incremental "" -- "$vigie" harvest "${common[@]}" --rate 0
	if have links; then
		run_stage "$n" links "" -- "$vigie" links "${common[@]}" --all --allow-private \
			--concurrency "$concurrency" --per-host "$perhost" --timeout 10s
		# a second check, as a nightly run does: every URL has a previous state
		run_stage "$n" links-again "" -- "$vigie" links "${common[@]}" --all --allow-private \
			--concurrency "$concurrency" --per-host "$perhost" --timeout 10s
	else
		echo "| $n | links | missing command | | | | |" | tee -a "$results"
	fi
	if have score; then
		run_stage "$n" score "" -- "$vigie" score "${common[@]}"
	else
		echo "| $n | score | missing command | | | | |" | tee -a "$results"
	fi
	if have report; then
		for f in xlsx html json md; do
			run_stage "$n" "report-$f" "$out/report.$f" -- "$vigie" report "${common[@]}" --format "$f" --out "$out/report.$f"
		done
		run_stage "$n" report-csv "$out/csv" -- "$vigie" report "${common[@]}" --format csv --out "$out/csv"
	else
		echo "| $n | report | missing command | | | | |" | tee -a "$results"
	fi
	stop_fake
	for stage in harvest-full harvest-incremental links links-again score; do
		[ -s "$dir/$n-$stage.log" ] && echo "$n $stage: $(tail -n 1 "$dir/$n-$stage.log")" >>"$dir/summaries.txt"
	done
done

{
	echo
	echo "Machine: $(nproc) CPU ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "? GiB") RAM, $(go version | cut -d' ' -f3-4)."
	echo "Link targets: latency $latency, broken $broken; links --concurrency $concurrency --per-host $perhost."
	if [ -s "$dir/summaries.txt" ]; then
		echo
		echo "vigie's own summary lines:"
		echo
		sed 's/^/    /' "$dir/summaries.txt"
	fi
} | tee -a "$results"
echo "results: $results" >&2
