#!/usr/bin/env bash
# End-to-end benchmark of vigie against a local CKAN emulator (ckanfake).
#
# For each catalogue size it starts ckanfake on loopback, then times, with
# /usr/bin/time: the raw download of every package_search page with curl (the
# baseline a harvest is compared to), a full harvest, an incremental harvest with nothing changed,
# a link check of every URL (twice: the second one, like a nightly run, starts
# from every URL's previous state), scoring, and each report format. It prints one
# Markdown table (wall time, CPU time, datasets/s, peak RSS, database size,
# output size, load average when the stage started) and keeps it in
# $BENCH_DIR/results.md. Then, unless API_LATENCY=0, it restarts ckanfake with
# that delay before every API answer and times the raw download and a full
# harvest again: the harvest rows carry their ratio to the raw download of
# the same run ("× raw").
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
#   API_LATENCY   delay of every API answer for the latency case (default 100ms; 0 skips it)
#   STAGES        stages to run (default: all): raw harvest-full harvest-incremental
#                 links links-again score reports
#   BENCH_POSTGRES a PostgreSQL server URL (postgres://USER@HOST:PORT/DB?...): the
#                 stages write to a database vigie_bench_N (vigie_bench_N_latency for
#                 the latency case) on that server instead of a SQLite file, dropped
#                 and created again before each size; the user must be allowed to
#                 create databases. With VIGIE_TEST_PGDATA (the server's data
#                 folder, which scripts/pg.sh sets) the CPU column reads
#                 "vigie + server": the server's CPU over the stage (its postmaster
#                 and reaped backends, from /proc). Database size is
#                 pg_database_size. On a throwaway cluster:
#                   scripts/pg.sh bash -c 'BENCH_POSTGRES=$VIGIE_TEST_POSTGRES bench/run.sh 20000'
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
api_latency=${API_LATENCY:-100ms}
stages=" ${STAGES:-raw harvest-full harvest-incremental links links-again score reports} "
want() { [[ $stages == *" $1 "* ]]; }

echo "building vigie and ckanfake into $dir" >&2
go build -o "$dir/vigie" ./cmd/vigie
go build -o "$dir/ckanfake" ./cmd/ckanfake
vigie=$dir/vigie

pg=${BENCH_POSTGRES:-}
psql=
postmaster=
if [ -n "$pg" ]; then
	psql=$(command -v psql || ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
	[ -n "$psql" ] || { echo "BENCH_POSTGRES needs psql" >&2; exit 1; }
	if [ -n "${VIGIE_TEST_PGDATA:-}" ] && [ -r "$VIGIE_TEST_PGDATA/postmaster.pid" ]; then
		postmaster=$(head -1 "$VIGIE_TEST_PGDATA/postmaster.pid")
	fi
fi
# fresh_db SUFFIX: an empty database for the next stages, in $db: the
# SQLite file $dir/vigie-SUFFIX.db, or the PostgreSQL database
# vigie_bench_SUFFIX on $BENCH_POSTGRES's server. drop_db SUFFIX deletes it.
pg_name() { local n=${1//[^a-zA-Z0-9_]/_}; echo "vigie_bench_$n"; }
fresh_db() {
	drop_db "$1"
	if [ -z "$pg" ]; then
		db=$dir/vigie-$1.db
		return
	fi
	local base=${pg%%\?*}
	"$psql" -q "$pg" -c "CREATE DATABASE $(pg_name "$1")"
	db=${base%/*}/$(pg_name "$1")${pg#"$base"}
}
drop_db() {
	if [ -z "$pg" ]; then
		rm -f "$dir/vigie-$1.db" "$dir/vigie-$1.db-wal" "$dir/vigie-$1.db-shm" "$dir/vigie-$1.db.lock"
	else
		PGOPTIONS="-c client_min_messages=warning" "$psql" -q "$pg" -c "DROP DATABASE IF EXISTS $(pg_name "$1")"
	fi
}
db_bytes() {
	if [ -z "$pg" ]; then
		bytes "$db" "$db-wal"
	else
		"$psql" -Atq "$db" -c "SELECT pg_database_size(current_database())" 2>/dev/null || echo 0
	fi
}
server_cpu() { # the PostgreSQL server's CPU seconds so far, or nothing
	[ -n "$postmaster" ] || return 0
	awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' "/proc/$postmaster/stat"
}

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
	echo "| datasets | stage | wall (s) | × raw | CPU (s) | datasets/s | peak RSS (MiB) | database (MiB) | output | load |"
	echo "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|"
} >"$results"

# run_stage N LABEL OUTPUT-PATH -- command...: times the command, appends a row.
# A stage labelled raw* sets the baseline ($raw_wall) that later harvest rows
# are divided by.
raw_wall=
run_stage() {
	local n=$1 label=$2 out=$3
	shift 4
	local tf=$dir/time.$$ log=$dir/$n-$label.log wall rss cpu=n/a status=0 load
	local start end
	load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo n/a)
	local server0 server1
	server0=$(server_cpu)
	start=$(date +%s.%N)
	if [ -n "$gnutime" ]; then
		"$gnutime" -f '%e %U %S %M' -o "$tf" "$@" >"$log" 2>&1 || status=$?
	else
		"$@" >"$log" 2>&1 || status=$?
	fi
	end=$(date +%s.%N)
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
	if [ -n "$server0" ]; then
		sleep 1 # the backends of vigie's connections end, and are counted, after vigie exits
		server1=$(server_cpu)
	fi
	rss=n/a
	if [ -n "$gnutime" ] && [ -s "$tf" ]; then
		rss=$(awk 'END { printf "%.0f", $4 / 1024 }' "$tf")
		cpu=$(awk 'END { printf "%.2f", $2 + $3 }' "$tf")
	fi
	[ -n "$server0" ] && cpu="$cpu + $(awk -v a="$server1" -v b="$server0" 'BEGIN { printf "%.2f", a - b }')"
	rm -f "$tf"
	local rate outsize="" ratio=""
	rate=$(awk -v n="$n" -v w="$wall" 'BEGIN { if (w > 0) printf "%.0f", n / w; else print "-" }')
	case $label in
	raw*) raw_wall=$wall ratio=1 ;;
	harvest-full*) [ -n "$raw_wall" ] && ratio=$(awk -v a="$wall" -v b="$raw_wall" 'BEGIN { if (b > 0) printf "%.2f", a / b }') ;;
	esac
	if [ -n "$out" ] && [ -e "$out" ]; then
		outsize=$(human "$(bytes "$out")")
	fi
	if [ "$status" -ne 0 ]; then
		outsize="FAILED (exit $status, see $log)"
		echo "$label failed at $n datasets: $(tail -n 3 "$log")" >&2
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$label" "$wall" "$ratio" "$cpu" "$rate" "$rss" \
		"$(mib "$(db_bytes)")" "$outsize" "$load" | tee -a "$results"
}

# raw_download API N: fetches every package_search page a full harvest asks
# for (sorted by id, rows 1000), one after another, and discards them.
raw_download() {
	local api=$1 n=$2 start=0
	while [ "$start" -lt "$n" ]; do
		curl -sf -o /dev/null "$api/api/3/action/package_search?q=*:*&sort=id+asc&rows=1000&start=$start" || return 1
		start=$((start + 1000))
	done
}

# start_fake N EXTRA-FLAGS...: starts ckanfake and sets $api.
start_fake() {
	local n=$1
	shift
	urls=$dir/ckanfake-$n.urls
	: >"$urls"
	"$dir/ckanfake" --datasets "$n" --seed "$seed" --store --link-latency "$latency" --broken "$broken" "$@" \
		>"$urls" 2>"$dir/ckanfake-$n.log" &
	fake_pid=$!
	for _ in $(seq 1 600); do
		[ "$(wc -l <"$urls")" -ge 2 ] && break
		kill -0 "$fake_pid" 2>/dev/null || { cat "$dir/ckanfake-$n.log" >&2; exit 1; }
		sleep 0.5
	done
	api=$(sed -n '1s/^CKAN API: //p' "$urls")
	[ -n "$api" ] || { echo "ckanfake did not start" >&2; exit 1; }
	# one warm-up request, so that the first timed page is not the one that
	# sorts the catalogue
	curl -sf -o /dev/null "$api/api/3/action/package_search?q=*:*&sort=id+asc&rows=1" || true
}

have() { "$vigie" "$1" --help >/dev/null 2>&1; }

for n in "${sizes[@]}"; do
	fresh_db "$n"
	out=$dir/out-$n
	rm -rf "$out"
	mkdir -p "$out"

	start_fake "$n"
	echo "== $n datasets: portal $api" >&2
	raw_wall=
	want raw && command -v curl >/dev/null && run_stage "$n" raw-download "" -- bash -c "$(declare -f raw_download); raw_download $api $n"

	common=(--db "$db" --portal "$api" --quiet)
	want harvest-full && run_stage "$n" harvest-full "" -- "$vigie" harvest "${common[@]}" --full --rate 0
	want harvest-incremental && run_stage "$n" harvest-incremental "" -- "$vigie" harvest "${common[@]}" --rate 0
	if ! want links; then
		:
	elif have links; then
		run_stage "$n" links "" -- "$vigie" links "${common[@]}" --all --allow-private \
			--concurrency "$concurrency" --per-host "$perhost" --timeout 10s
		# a second check, as a nightly run does: every URL has a previous state
		want links-again && run_stage "$n" links-again "" -- "$vigie" links "${common[@]}" --all --allow-private \
			--concurrency "$concurrency" --per-host "$perhost" --timeout 10s
	else
		echo "| $n | links | missing command | | | | |" | tee -a "$results"
	fi
	if ! want score; then
		:
	elif have score; then
		run_stage "$n" score "" -- "$vigie" score "${common[@]}"
	else
		echo "| $n | score | missing command | | | | |" | tee -a "$results"
	fi
	if ! want reports; then
		:
	elif have report; then
		for f in xlsx html json md; do
			run_stage "$n" "report-$f" "$out/report.$f" -- "$vigie" report "${common[@]}" --format "$f" --out "$out/report.$f"
		done
		run_stage "$n" report-csv "$out/csv" -- "$vigie" report "${common[@]}" --format csv --out "$out/csv"
	else
		echo "| $n | report | missing command | | | | |" | tee -a "$results"
	fi
	stop_fake
	if [ "$api_latency" != 0 ] && [ "$api_latency" != 0s ] && want harvest-full; then
		# the same catalogue behind API_LATENCY: raw download and full harvest again
		[ -n "$pg" ] && drop_db "$n" # one catalogue at a time on the server
		fresh_db "$n-latency"
		start_fake "$n" --api-latency "$api_latency"
		raw_wall=
		common=(--db "$db" --portal "$api" --quiet)
		want raw && command -v curl >/dev/null && run_stage "$n" "raw-download-$api_latency" "" -- bash -c "$(declare -f raw_download); raw_download $api $n"
		run_stage "$n" "harvest-full-$api_latency" "" -- "$vigie" harvest "${common[@]}" --full --rate 0
		stop_fake
		drop_db "$n-latency"
	fi
	for stage in harvest-full harvest-incremental links links-again score; do
		[ -s "$dir/$n-$stage.log" ] && echo "$n $stage: $(tail -n 1 "$dir/$n-$stage.log")" >>"$dir/summaries.txt"
	done
done

{
	echo
	echo "Machine: $(nproc) CPU ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "? GiB") RAM, $(go version | cut -d' ' -f3-4)."
	echo "Link targets: latency $latency, broken $broken; links --concurrency $concurrency --per-host $perhost."
	if [ -n "$pg" ]; then
		echo "Store: PostgreSQL $("$psql" -Atq "$pg" -c 'SHOW server_version' 2>/dev/null) ($(echo "$pg" | sed -E 's#//[^@/]*@#//#; s#\?.*##')); database size is pg_database_size.$([ -n "$postmaster" ] && echo ' CPU reads vigie + server: the server'"'"'s CPU over the stage, its postmaster and reaped backends from /proc.')"
	fi
	echo "raw-download: curl fetching the package_search pages a full harvest asks for (rows 1000, sorted by id), one after another; × raw is a harvest's wall time over the raw download's in the same run and conditions. CPU is user + system of vigie alone (ckanfake runs beside it on the same cores). load is the 1-minute load average when the stage started."
	if [ -s "$dir/summaries.txt" ]; then
		echo
		echo "vigie's own summary lines:"
		echo
		sed 's/^/    /' "$dir/summaries.txt"
	fi
} | tee -a "$results"
echo "results: $results" >&2
