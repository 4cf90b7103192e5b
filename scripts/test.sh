#!/usr/bin/env bash
# The README's second command: set everything up (ffmpeg, PostgreSQL, GStreamer's RTSP server, npm packages), then
# type-check and run every test against PGlite and a private PostgreSQL on loopback. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# PostgreSQL for the store tests; GStreamer's RTSP server (run with Debian's /usr/bin/python3) for the RTSP tests.
# mosquitto for the MQTT destination tests, redis-server for the cluster tests, docker-compose to validate compose.yaml
# offline. openssl makes the certificates of the TLS test.
bash scripts/setup.sh postgresql python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base \
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-tools chromium fonts-dejavu-core mosquitto openssl redis-server \
  docker-compose
if [ -z "${SIGHTLINE_ASSETS:-}" ] && [ -d ../shared/assets ]; then export SIGHTLINE_ASSETS="$PWD/../shared/assets"; fi
# Every JSON answer of the API in every test is checked against its route's schema (a mismatch is a 500).
export SIGHTLINE_CHECK_RESPONSES=1

echo "== type-check"
npx tsc --noEmit -p .
npm run typecheck -w web --silent

# First free port from 54329 up (another PostgreSQL may already hold one).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${PG_TEST_PORT:-}" ]; then
  PG_TEST_PORT=54329
  while ! port_free "$PG_TEST_PORT"; do PG_TEST_PORT=$((PG_TEST_PORT + 1)); done
fi
echo "== PostgreSQL on 127.0.0.1:$PG_TEST_PORT"
pg_dir=$(mktemp -d /tmp/sightline-pg.XXXXXX)
cleanup() { bash scripts/pg-test-server.sh stop "$pg_dir" "$PG_TEST_PORT" >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap cleanup EXIT
export PG_TEST_URL
PG_TEST_URL=$(bash scripts/pg-test-server.sh start "$pg_dir" "$PG_TEST_PORT" | tail -n 1)

echo "== tests"
mapfile -t files < <(find src test web/src -name '*.test.ts' -not -path '*/node_modules/*' | sort)
node --import tsx --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./test/support/summary-reporter.mjs --test-reporter-destination=stdout \
  "${files[@]}"
