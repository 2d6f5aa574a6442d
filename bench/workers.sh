#!/usr/bin/env bash
# Workers sharing one database: N local portals (ckanfake) of SIZE datasets
# are queued, then W 'vigie worker --once' processes drain the queue
# together, for each W given, each time into a new database: on PostgreSQL
# (a throwaway cluster from scripts/pg.sh) and, for contrast, on one SQLite
# file (where the workers take turns on the file's writer lock). Prints one
# Markdown row per run: wall time until the last worker exits, CPU of the
# workers (user+sys, summed), CPU of the PostgreSQL server over the run,
# the largest worker's peak RSS, the time spent in each audit stage summed
# over the portals, and the load average when the run started.
#
# Usage:
#   nice -n 19 bench/workers.sh                 # 20 portals of 5,000 datasets; 1, 2 and 4 workers on PostgreSQL, 4 on SQLite
#   PORTALS=4 SIZE=500 bench/workers.sh 1 2
#
# Environment:
#   PORTALS       number of portals (default 20)
#   SIZE          datasets per portal (default 5000)
#   SQLITE        worker counts to run on SQLite too (default 4; empty for none)
#   API_LATENCY   delay of every API answer (default 20ms)
#   LINK_LATENCY  delay of every link target answer (default 5ms)
#   PER_HOST      link checks in flight per host (default 16); each portal's targets are one host
#   BENCH_DIR     working folder (default: a new temporary folder)
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -z "${VIGIE_TEST_POSTGRES:-}" ]; then
	exec scripts/pg.sh "$0" "$@"
fi
workers=("$@")
[ ${#workers[@]} -gt 0 ] || workers=(1 2 4)
read -r -a sqlite <<<"${SQLITE-4}"
n=${PORTALS:-20}
size=${SIZE:-5000}
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-workers.XXXXXX")}
mkdir -p "$dir"
go build -o "$dir/vigie" ./cmd/vigie
go build -o "$dir/ckanfake" ./cmd/ckanfake
psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

urls=()
for i in $(seq 1 "$n"); do
	"$dir/ckanfake" --datasets "$size" --seed "$i" --orgs 40 --broken 5% --store \
		--api-latency "${API_LATENCY:-20ms}" --link-latency "${LINK_LATENCY:-5ms}" >"$dir/fake$i.out" 2>"$dir/fake$i.err" &
	pids+=($!)
done
for i in $(seq 1 "$n"); do
	for _ in $(seq 1 600); do grep -q '^CKAN API:' "$dir/fake$i.out" 2>/dev/null && break; sleep 0.1; done
	urls+=("$(sed -n 's/^CKAN API: //p' "$dir/fake$i.out")")
done

# The server's CPU: the postmaster's own and its reaped backends' (clock ticks).
datadir=$("$psql" "$VIGIE_TEST_POSTGRES" -Atc 'SHOW data_directory')
postmaster=$(head -n 1 "$datadir/postmaster.pid")
hz=$(getconf CLK_TCK)
server_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"; }

# stage_sums LOGS...: seconds spent in each audit stage, summed over the logs.
stage_sums() {
	cat "$@" | grep -o '"stage":"[a-z]*","elapsed":"[^"]*","elapsed_ms":[0-9]*' |
		awk -F'[:,"]+' '{s[$3] += $NF} END {printf "%.0f / %.0f / %.0f / %.0f", s["harvest"]/1000, s["links"]/1000, s["score"]/1000, s["reports"]/1000}'
}

run() { # run BACKEND WORKERS
	local backend=$1 w=$2 db name=""
	if [ "$backend" = PostgreSQL ]; then
		name="bench_w${w}_$$"
		"$psql" "$VIGIE_TEST_POSTGRES" -qc "CREATE DATABASE $name"
		db="${VIGIE_TEST_POSTGRES/\/postgres\?//$name?}"
	else
		db="$dir/sqlite-$w.db"
		rm -f "$db"*
	fi
	rm -rf "$dir/audits"
	local args=()
	for u in "${urls[@]}"; do args+=(--add "$u"); done
	"$dir/vigie" --db "$db" --quiet worker "${args[@]}" >/dev/null
	local load ticks0 start end
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	[ "$backend" = PostgreSQL ] && ticks0=$(server_ticks)
	start=$(date +%s.%N)
	local wp=()
	for k in $(seq 1 "$w"); do
		/usr/bin/time -f '%e %U %S %M' -o "$dir/time-$backend-$w-$k.txt" \
			"$dir/vigie" --db "$db" --log-format json worker --once --out "$dir/audits" \
			--allow-private --rate 0 --concurrency 32 --per-host "${PER_HOST:-16}" \
			>"$dir/worker-$backend-$w-$k.out" 2>"$dir/worker-$backend-$w-$k.log" &
		wp+=($!)
	done
	local code=0
	for p in "${wp[@]}"; do wait "$p" || code=$?; done
	end=$(date +%s.%N)
	local server="–"
	if [ "$backend" = PostgreSQL ]; then
		# A backend's CPU is counted once it has exited and been reaped.
		for _ in $(seq 1 100); do
			[ "$("$psql" "$VIGIE_TEST_POSTGRES" -Atc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$name'")" = 0 ] && break
			sleep 0.1
		done
		sleep 1
		server=$(printf "%.1f" "$(echo "scale=2; ($(server_ticks) - $ticks0) / $hz" | bc)")
	fi
	local cpu rss audited
	cpu=$(cat "$dir"/time-"$backend"-"$w"-*.txt | awk '{s += $2 + $3} END {printf "%.1f", s}')
	rss=$(cat "$dir"/time-"$backend"-"$w"-*.txt | awk '$4 > m {m = $4} END {printf "%d", m / 1024}')
	audited=$(cat "$dir"/worker-"$backend"-"$w"-*.out | grep -c . || true)
	printf '| %s | %d | %d × %d | %d | %.0f | %s | %s | %d | %s | %s | %d |\n' "$backend" "$w" "$n" "$size" "$audited" \
		"$(echo "$end - $start" | bc)" "$cpu" "$server" "$rss" "$(stage_sums "$dir"/worker-"$backend"-"$w"-*.log)" "$load" "$code"
}

echo "| store | workers | portals × datasets | audited | wall (s) | workers' CPU (s) | server CPU (s) | peak RSS (MiB) | harvest / links / score / reports (s, summed) | load at start | exit |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for w in "${workers[@]}"; do run PostgreSQL "$w"; done
for w in "${sqlite[@]}"; do [ -n "$w" ] && run SQLite "$w"; done
echo
echo "working folder: $dir"
