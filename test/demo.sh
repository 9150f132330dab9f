#!/usr/bin/env bash
# The main job on a lab fleet: bring up N FreeBSD-shaped hosts on loopback and drive
# them with fleetjail. Leaves the lab up for you to explore; `npm run lab -- down` ends it.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-10}
inv=.lab/inventory.yaml
fj() { node dist/cli/main.js "$@"; }

npm run --silent lab -- up --hosts "$hosts"
echo '$ fleetjail ping all'
fj ping all -i "$inv" --known-hosts .lab/known_hosts
echo '$ fleetjail exec "canary,tcsh_login" -- uname -a'
fj exec 'canary,tcsh_login' -i "$inv" --known-hosts .lab/known_hosts -- uname -a
echo
echo "The lab is up: try  npx fleetjail exec all -i $inv --known-hosts .lab/known_hosts -- 'hostname'"
echo "Stop it with       npm run lab -- down"
