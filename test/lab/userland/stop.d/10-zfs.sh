#!/bin/sh
# Real ZFS: export the pools and end zfs-fuse before the host ends (see lib/zfs/real-stop.sh).
# The emulation keeps its state on disk at every command; nothing to do.
[ "$(cat "$ROOT/.lab/zfs/mode" 2>/dev/null)" = real ] || exit 0
exec sh "$USERLAND/lib/zfs/real-stop.sh"
