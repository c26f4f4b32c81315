#!/usr/bin/env bash
# Queue mode needs Redis and Postgres; they come from Debian's packages, installed only when missing.
# Prints the folder of Postgres's server programs (initdb, pg_ctl, postgres) on its last line: Debian keeps
# them off PATH, under /usr/lib/postgresql/<major>/bin.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if ((${#missing[@]} > 0)); then
	export DEBIAN_FRONTEND=noninteractive
	echo "ensureServices: installing ${missing[*]}" >&2
	apt-get update -qq >&2
	# Debian's maintainer scripts would start the services through systemd or init; policy-rc.d says no.
	policy=/usr/sbin/policy-rc.d
	if [[ ! -e "$policy" ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

command -v redis-server >/dev/null
# The newest major when several are installed.
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
[[ -x "$bin/initdb" && -x "$bin/pg_ctl" ]]
echo "$bin"
