#!/bin/sh
# Emulated ZFS: re-record its mounts in the jail emulation's mount table, which
# boot.d/jail-state.sh clears after 10-zfs.sh has mounted the datasets (hooks run in name order).
[ "$(cat "$ROOT/.lab/zfs/mode" 2>/dev/null)" = emulated ] || exit 0
exec chroot "$ROOT" /.sys/bin/env -i PATH=/.sys/sbin:/.sys/bin /.sys/bin/node /.sys/userland/lib/zfs/emul-boot.cjs --record
