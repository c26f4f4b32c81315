#!/usr/bin/env bash
# `npm run demo`: everything a fresh clone needs, then the sandbox and a real n8n with the package loaded.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -f node_modules/.package-lock.json ]] || npm ci --no-audit --no-fund
npm run build
mkdir -p .tmp
rm -f .tmp/n8n-nodes-nice-cxone-*.tgz
npm pack --pack-destination .tmp --silent >/dev/null
exec npx tsx demo/run.ts "$@"
