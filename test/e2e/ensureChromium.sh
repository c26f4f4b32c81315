#!/usr/bin/env bash
# The editor test drives Debian's Chromium; a test tool's own browser download cannot work here.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
