#!/usr/bin/env bash
# The README's first command: set everything up, then run the server on its embedded defaults
# (PGlite under data/, a demo camera looping the sample clip, the YOLOX-nano detector).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Use the project's shared assets folder when it is there (models and clips without downloading).
if [ -z "${SIGHTLINE_ASSETS:-}" ] && [ -d ../shared/assets ]; then export SIGHTLINE_ASSETS="$PWD/../shared/assets"; fi
exec node --import tsx src/main.ts "$@"
