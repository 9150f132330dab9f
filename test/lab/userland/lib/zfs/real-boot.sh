#!/bin/sh
# Real ZFS on a lab host: Debian's zfs-fuse daemon chrooted into the host root, so its
# control socket (/var/run/zfs/zfs_socket), pool cache (/var/lib/zfs/zpool.cache), lock and
# mountpoints are the host's own paths and the host's zfs/zpool talk to this daemon only.
# Pools are sparse files under /.lab/zfs; first boot creates them (layout.cjs), later boots
# import them. Env: ROOT, USERLAND, LAB_ZDATA; run by boot.d/10-zfs.sh as root, in the
# host's namespaces, outside the chroot.
set -u
log() { echo "lab zfs: $*" >&2; }
in_root() { chroot "$ROOT" /.sys/bin/env -i PATH=/.sys/sbin:/.sys/bin HOME=/root "$@"; }

mkdir -p "$ROOT/var/run/zfs" "$ROOT/var/lib/zfs" "$ROOT/var/lock/zfs" "$ROOT/.lab/zfs"
# Left by the previous boot; zfs-fuse refuses to start while its pid file exists.
rm -f "$ROOT/var/run/zfs/zfs-fuse.pid" "$ROOT/var/run/zfs/zfs_socket"

# The physical-memory shim (physmem-shim.c), compiled once per lab directory.
shim=
labdir=$(cd "$ROOT/../../.." && pwd)
if [ ! -f "$ROOT/.lab/zfs/physmem.so" ] && command -v cc >/dev/null 2>&1; then
  mkdir -p "$labdir/zfs"
  (
    flock 9
    src="$USERLAND/lib/zfs/physmem-shim.c"
    if [ ! -f "$labdir/zfs/physmem.so" ] || [ "$src" -nt "$labdir/zfs/physmem.so" ]; then
      cc -shared -fPIC -O2 -o "$labdir/zfs/physmem.so.tmp" "$src" -ldl && mv "$labdir/zfs/physmem.so.tmp" "$labdir/zfs/physmem.so"
    fi
  ) 9>"$labdir/zfs/build.lock"
  cp "$labdir/zfs/physmem.so" "$ROOT/.lab/zfs/physmem.so" 2>/dev/null
fi
[ -f "$ROOT/.lab/zfs/physmem.so" ] && shim="LD_PRELOAD=/.lab/zfs/physmem.so LAB_ZFS_PHYS_MB=${LAB_ZFS_PHYS_MB:-512}"
[ -n "$shim" ] || log "no C compiler: zfs-fuse runs without the memory shim (~80 MB per host)"

# Debian's defaults (/etc/zfs/zfsrc) plus a small ARC; options on the command line win.
# shellcheck disable=SC2086
in_root $shim /.sys/sbin/zfs-fuse --pidfile /var/run/zfs/zfs-fuse.pid --no-kstat-mount \
  --max-arc-size 16 --vdev-cache-size 1 --zfs-prefetch-disable \
  --fuse-attr-timeout 3600 --fuse-entry-timeout 3600 --fuse-mount-options default_permissions \
  || { log "zfs-fuse did not start"; exit 1; }
i=0
while [ ! -S "$ROOT/var/run/zfs/zfs_socket" ]; do
  i=$((i + 1))
  [ $i -gt 500 ] && { log "zfs-fuse socket did not appear"; exit 1; }
  sleep 0.01
done

pools="zroot"
case "${LAB_ZDATA:-}" in 1|yes|YES|true) pools="zroot zdata" ;; esac
for pool in $pools; do
  img="/.lab/zfs/$pool.img"
  if in_root /.sys/sbin/zpool list -H -o name "$pool" >/dev/null 2>&1; then
    : # opened from zpool.cache (the last boot did not export it); mounted below
  elif [ -f "$ROOT$img" ]; then
    in_root /.sys/sbin/zpool import -f -d /.lab/zfs "$pool" || log "zpool import $pool failed"
  else
    truncate -s "${LAB_ZFS_POOL_SIZE:-2G}" "$ROOT$img"
    in_root /.sys/sbin/zpool create -m "$(node -e "process.stdout.write(require('$USERLAND/lib/zfs/layout.cjs').POOLS['$pool'].mountpoint)")" "$pool" "$img" 2>&1 \
      | grep -v '^Defaulting to 4K blocksize' >&2
    node -e "
      const { POOLS } = require('$USERLAND/lib/zfs/layout.cjs');
      for (const [name, props] of POOLS['$pool'].datasets)
        console.log([name, ...Object.entries(props).map(([k, v]) => '-o ' + k + '=' + v)].join(' '));
    " | while read -r name opts; do
      # shellcheck disable=SC2086
      in_root /.sys/sbin/zfs create $opts "$name" || log "zfs create $name failed"
    done
  fi
done
in_root /.sys/sbin/zfs mount -a || log "zfs mount -a reported errors"
exit 0
