#!/bin/sh
# PID 1 of a lab host: runs inside the host's private PID + mount + UTS namespaces
# (started by `unshare --pid --fork --kill-child --mount --uts --propagation private`).
# Everything mounted here is visible to this host only and disappears with it.
#   boot-host.sh ROOT HOSTNAME USERLAND_DIR
# SIGTERM runs the stop hooks (e.g. export the ZFS pool) and ends the host.
set -eu
ROOT=$1
HOST_NAME=$2
USERLAND=$3
export ROOT HOST_NAME USERLAND

hostname "$HOST_NAME"

# The machine's libraries and data, read-only. The host's /etc, /var, /tmp, /root,
# /usr/local, /usr/jails ... are its own directories under ROOT.
for d in usr/lib usr/lib64 usr/share usr/libexec; do
  [ -d "/$d" ] || continue
  mkdir -p "$ROOT/$d"
  mount -o bind,ro "/$d" "$ROOT/$d"
done
# The machine's executables and the lab's FreeBSD userland, read-only under /.sys.
# The host's own /bin, /sbin, /usr/bin and /usr/sbin hold symlinks into them, only
# for commands a FreeBSD base system has (see host-root.ts).
for d in bin sbin; do
  mkdir -p "$ROOT/.sys/$d"
  mount -o bind,ro "/usr/$d" "$ROOT/.sys/$d"
done
mkdir -p "$ROOT/.sys/userland"
mount -o bind,ro "$USERLAND" "$ROOT/.sys/userland"
# The lab's C commands (stat, the md5 family), compiled by `lab up` into LABDIR/bin
# (ROOT is LABDIR/hosts/NAME/root); see c-commands.ts.
mkdir -p "$ROOT/.sys/lab-bin"
mount -o bind,ro "$ROOT/../../../bin" "$ROOT/.sys/lab-bin"
mkdir -p "$ROOT/dev" "$ROOT/proc"
mount --rbind /dev "$ROOT/dev"
mount -t proc proc "$ROOT/proc"

run_hooks() {
  for hook in "$USERLAND/$1"/*.sh; do
    [ -f "$hook" ] || continue
    sh "$hook" || echo "lab: hook $hook failed ($?)" >&2
  done
}

stop_host() {
  trap - TERM INT
  run_hooks stop.d
  [ -f "$ROOT/var/run/sshd.pid" ] && kill "$(cat "$ROOT/var/run/sshd.pid")" 2>/dev/null || true
  exit 0
}
trap stop_host TERM INT

# Per-host services that live in the namespace but outside the chroot (zfs-fuse, ...).
run_hooks boot.d

# sshd daemonizes and writes /var/run/sshd.pid inside the host; `service sshd` in the
# host can stop and start it like on FreeBSD without ending the host.
chroot "$ROOT" /usr/sbin/sshd -f /etc/ssh/sshd_config -E /var/log/sshd.log

# Stay alive as the namespace's init: reap orphans, wait for SIGTERM.
while :; do
  sleep 3600 &
  wait $! || true
done
