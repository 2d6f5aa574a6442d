#!/usr/bin/env bash
# The same catalogue through the two stores: SQLite (a file) and PostgreSQL
# (a throwaway local cluster). For each size it starts ckanfake on loopback
# and times, into a fresh database of each store, a full harvest, an
# incremental one with nothing changed, a score and a JSON report. Each row
# gives the wall time and the CPU time (user + system) of vigie, and for
# PostgreSQL the CPU time the server spent on it (its postmaster's own and
# reaped children's, from /proc), so that the two stores' costs compare.
#
#   scripts/pg.sh bench/stores.sh            # 5,000 datasets
#   scripts/pg.sh bench/stores.sh 1000 5000  # chosen sizes
#
# Needs VIGIE_TEST_POSTGRES and VIGIE_TEST_PGDATA (scripts/pg.sh sets both),
# GNU time (/usr/bin/time) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5000)
: "${VIGIE_TEST_POSTGRES:?run it under scripts/pg.sh}"
: "${VIGIE_TEST_PGDATA:?run it under scripts/pg.sh}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/vigie-stores.XXXXXX")
trap 'kill ${fake_pid:-} 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/vigie" ./cmd/vigie
go build -o "$dir/ckanfake" ./cmd/ckanfake
export PGOPTIONS="-c client_min_messages=warning"
psql=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)/psql
command -v psql >/dev/null && psql=psql
tick=$(getconf CLK_TCK)
postmaster=$(head -1 "$VIGIE_TEST_PGDATA/postmaster.pid")

# server_cpu prints the server's CPU seconds so far.
server_cpu() {
	awk -v t="$tick" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' "/proc/$postmaster/stat"
}

echo "| datasets | store | stage | wall (s) | vigie CPU (s) | server CPU (s) |"
echo "|---:|---|---|---:|---:|---:|"
for n in "${sizes[@]}"; do
	urls=$dir/urls-$n
	"$dir/ckanfake" --datasets "$n" --seed 1 --store >"$urls" 2>"$dir/ckanfake.log" &
	fake_pid=$!
	for _ in $(seq 1 600); do
		[ "$(wc -l <"$urls")" -ge 2 ] && break
		sleep 0.5
	done
	api=$(sed -n '1s/^CKAN API: //p' "$urls")
	curl -sf -o /dev/null "$api/api/3/action/package_search?q=*:*&sort=id+asc&rows=1" || true
	dbname=vigie_bench_$n
	"$psql" -q "$VIGIE_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $dbname" -c "CREATE DATABASE $dbname"
	pgdb=${VIGIE_TEST_POSTGRES/\/postgres\?//$dbname?}
	for store in sqlite postgres; do
		db=$dir/vigie-$n.db
		[ "$store" = postgres ] && db=$pgdb
		common=(--db "$db" --portal "$api" --quiet)
		for stage in harvest-full harvest-incremental score report; do
			case $stage in
			harvest-full) args=(harvest "${common[@]}" --full --rate 0) ;;
			harvest-incremental) args=(harvest "${common[@]}" --rate 0) ;;
			score) args=(score "${common[@]}") ;;
			report) args=(report "${common[@]}" --format json --out "$dir/report-$store-$n.json") ;;
			esac
			before=$(server_cpu)
			/usr/bin/time -f '%e %U %S' -o "$dir/time" "$dir/vigie" "${args[@]}" >"$dir/$stage.log" 2>&1 ||
				{ cat "$dir/$stage.log" >&2; exit 1; }
			sleep 1 # the server's backends of vigie's connections end, and are counted, after vigie exits
			after=$(server_cpu)
			read -r wall user sys <"$dir/time"
			server=n/a
			[ "$store" = postgres ] && server=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a - b }')
			awk -v n="$n" -v s="$store" -v st="$stage" -v w="$wall" -v u="$user" -v y="$sys" -v sv="$server" \
				'BEGIN { printf "| %d | %s | %s | %.2f | %.2f | %s |\n", n, s, st, w, u + y, sv }'
		done
	done
	kill "$fake_pid" 2>/dev/null || true
	wait "$fake_pid" 2>/dev/null || true
	"$psql" -q "$VIGIE_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $dbname"
done
