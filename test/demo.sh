#!/usr/bin/env bash
# The main job on a lab fleet: bring up N FreeBSD-shaped hosts on loopback and drive them
# with fleetjail: ping, a playbook applied, re-applied (nothing changes), a hand edit on one
# host found by --check --diff and put right. Leaves the lab up for you to explore;
# `npm run lab -- down` ends it.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-10}
inv=.lab/inventory.yaml
fj() { echo "\$ fleetjail $*"; local cmd=$1; shift; node dist/cli/main.js "$cmd" -i "$inv" "$@"; echo; }

[ -f dist/cli/main.js ] || npm run --silent build
npm run --silent lab -- up --hosts "$hosts"
fj ping all
fj run playbooks/site.yaml
fj run playbooks/site.yaml            # converged: 0 changed on every host
node dist/cli/main.js exec h01 -i "$inv" -- 'sysrc sendmail_enable=YES' >/dev/null   # drift on one host
fj run playbooks/site.yaml --check --diff --limit h01,h02
fj run playbooks/site.yaml --limit h01 --report .lab/site-report.json
# Seed 002 on every host: a 14.2-RELEASE template (verified, patched, snapshotted) and two VNET jails.
fj run playbooks/vnet-thin-jails.yaml
fj run playbooks/vnet-thin-jails.yaml --limit h01,h02          # converged
fj exec all -- 'jls; jexec dev freebsd-version'
echo "The lab is up: try  npx fleetjail exec all -i $inv -- 'jls -v; zfs list'"
echo "JSON report of the last run: .lab/site-report.json.  Stop the lab with  npm run lab -- down"
