#!/bin/sh
# ZFS on this lab host (test/lab/README.md, "ZFS"): LAB_ZFS=real (default) starts a zfs-fuse
# daemon in the host, emulated uses the emulation (large fleets), none = no pools;
# mixed = odd-numbered hosts real, even-numbered emulated (for the differential test).
# The decision goes to /.lab/zfs/mode, which the host's zfs and zpool read.
. "$ROOT/.lab/host.env"
export LAB_ZDATA="${LAB_ZDATA:-}" LAB_ZFS_PHYS_MB="${LAB_ZFS_PHYS_MB:-}" LAB_ZFS_POOL_SIZE="${LAB_ZFS_POOL_SIZE:-}"
mode=${LAB_ZFS:-real}
if [ "$mode" = mixed ]; then
  n=$(echo "$HOST_NAME" | sed 's/^h0*//')
  if [ $((${n:-1} % 2)) -eq 1 ]; then mode=real; else mode=emulated; fi
fi
mkdir -p "$ROOT/.lab/zfs"
echo "$mode" > "$ROOT/.lab/zfs/mode"
case "$mode" in
  real) exec sh "$USERLAND/lib/zfs/real-boot.sh" ;;
  emulated)
    pools=zroot
    case "$LAB_ZDATA" in 1|yes|YES|true) pools="zroot zdata" ;; esac
    # shellcheck disable=SC2086
    exec chroot "$ROOT" /.sys/bin/env -i PATH=/.sys/sbin:/.sys/bin /.sys/bin/node /.sys/userland/lib/zfs/emul-boot.cjs $pools ;;
  none) exit 0 ;;
  *) echo "lab zfs: unknown LAB_ZFS=$mode" >&2; exit 1 ;;
esac
