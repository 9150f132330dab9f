#!/bin/sh
# Stop real ZFS on a lab host: unmount, export every pool (so the next boot imports a
# clean pool), end the daemon. Env: ROOT. Run by stop.d/10-zfs.sh.
set -u
pidfile="$ROOT/var/run/zfs/zfs-fuse.pid"
[ -f "$pidfile" ] || exit 0
in_root() { chroot "$ROOT" /.sys/bin/env -i PATH=/.sys/sbin:/.sys/bin HOME=/root "$@"; }
for pool in $(in_root /.sys/sbin/zpool list -H -o name 2>/dev/null); do
  in_root /.sys/sbin/zpool export "$pool" 2>/dev/null || { sleep 0.3; in_root /.sys/sbin/zpool export -f "$pool"; } || echo "lab zfs: export $pool failed" >&2
done
# Exported pools need nothing from the daemon any more; SIGTERM takes it seconds to act on.
kill -KILL "$(cat "$pidfile")" 2>/dev/null
rm -f "$pidfile" "$ROOT/var/run/zfs/zfs_socket"
exit 0
