#!/usr/bin/env bash
# Several portals in one process: audits N local portals (ckanfake) of SIZE
# datasets each with 'vigie audit --all', one after the other (--parallel 1)
# and concurrently (--parallel P, for each P given), each time into a new
# database, and prints one Markdown row per run: wall time, CPU time, peak RSS.
#
# Usage:
#   bench/portals.sh                       # 10 portals of 2,000 datasets, --parallel 1, 3 and 10
#   PORTALS=4 SIZE=500 bench/portals.sh 1 4
#
# Environment:
#   PORTALS       number of portals (default 10)
#   SIZE          datasets per portal (default 2000)
#   API_LATENCY   delay of every API answer (default 20ms): a real portal is not on loopback
#   LINK_LATENCY  delay of every link target answer (default 20ms)
#   PER_HOST      link checks in flight per host (default 16); each portal's targets are one host
#   BENCH_DIR     working folder (default: a new temporary folder)
set -euo pipefail

cd "$(dirname "$0")/.."
par=("$@")
[ ${#par[@]} -gt 0 ] || par=(1 3 10)
n=${PORTALS:-10}
size=${SIZE:-2000}
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-portals.XXXXXX")}
mkdir -p "$dir"
go build -o "$dir/vigie" ./cmd/vigie
go build -o "$dir/ckanfake" ./cmd/ckanfake

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

{
	echo "db: $dir/vigie.db"
	echo "out: $dir/audits"
	echo "defaults:"
	echo "  rate: 0"
	echo "  links: {allow_private: true, concurrency: 32, per_host: ${PER_HOST:-16}}"
	echo "portals:"
} >"$dir/vigie.yaml"
for i in $(seq 1 "$n"); do
	"$dir/ckanfake" --datasets "$size" --seed "$i" --orgs 40 --broken 5% --store \
		--api-latency "${API_LATENCY:-20ms}" --link-latency "${LINK_LATENCY:-20ms}" >"$dir/fake$i.out" 2>"$dir/fake$i.err" &
	pids+=($!)
done
for i in $(seq 1 "$n"); do
	for _ in $(seq 1 600); do grep -q '^CKAN API:' "$dir/fake$i.out" 2>/dev/null && break; sleep 0.1; done
	url=$(sed -n 's/^CKAN API: //p' "$dir/fake$i.out")
	printf '  - name: p%02d\n    url: %s\n' "$i" "$url" >>"$dir/vigie.yaml"
done

echo "| portals × datasets | --parallel | wall (s) | CPU (s) | peak RSS (MiB) | exit |"
echo "|---|---|---|---|---|---|"
for p in "${par[@]}"; do
	rm -rf "$dir/vigie.db"* "$dir/audits"
	start=$(date +%s.%N)
	set +e
	/usr/bin/time -f '%U %S %M' -o "$dir/time.txt" "$dir/vigie" --config "$dir/vigie.yaml" --quiet audit --all --parallel "$p" >"$dir/audit-$p.out" 2>"$dir/audit-$p.err"
	code=$?
	set -e
	end=$(date +%s.%N)
	read -r user sys rss < <(tail -n 1 "$dir/time.txt")
	printf '| %d × %d | %d | %.1f | %.1f | %d | %d |\n' "$n" "$size" "$p" "$(echo "$end - $start" | bc)" "$(echo "$user + $sys" | bc)" $((rss / 1024)) "$code"
done
echo
echo "working folder: $dir"
