#!/bin/sh
# Jails, interfaces, loaded modules, mounts and devfs rulesets are kernel state on FreeBSD:
# a (re)booted lab host starts without any, so the emulation's records under /var/run go.
rm -rf "$ROOT/var/run/lab-jails" "$ROOT/var/run/lab-net.json" "$ROOT/var/run/lab-kld.json" \
  "$ROOT/var/run/lab-sysctl.json" "$ROOT/var/run/lab-mounts.json" "$ROOT/var/run/lab-devfs-rulesets.json" \
  "$ROOT/var/run/lab-kernel.lock"
