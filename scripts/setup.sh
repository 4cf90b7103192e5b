#!/usr/bin/env bash
# Installs what Sightline needs on Debian 12: Debian packages (when missing) and npm packages.
# usage: scripts/setup.sh [DEBIAN_PACKAGE...]   (ffmpeg is always required; tests add postgresql)
set -euo pipefail
cd "$(dirname "$0")/.."

need_node_major=20
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt "$need_node_major" ]; then
  echo "sightline: Node.js >= $need_node_major is required, found $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi

# Debian packages: ffmpeg always, plus any named on the command line (tests: postgresql).
missing=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing+=(ffmpeg)
for pkg in "$@"; do
  case "$pkg" in
    postgresql) [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql) ;;
    *) dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "sightline: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "sightline: missing Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# npm packages: reinstall only when the lock file changed since the last install. onnxruntime-node's install script
# would download CUDA libraries (and fail offline); the CPU runtime is bundled. package.json's allowScripts denies it on
# npm >= 11.19; ONNXRUNTIME_NODE_INSTALL=skip (read by the script itself, unknown to npm, so no warning) covers older
# npm such as Node 20's bundled npm 10.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "sightline: installing npm packages" >&2
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi

# The dashboard (web/): built when missing, or older than its sources or the API document its types come from.
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/package.json web/vite.config.ts docs/openapi.json -newer web/dist/index.html -print -quit 2>/dev/null)" ]; then
  echo "sightline: building the dashboard" >&2
  npm run build -w web --silent >/dev/null
fi
