#!/bin/sh
# Runs as PID 1 of a lab host's private PID + mount + UTS namespaces (started by
# `unshare --pid --fork --kill-child --mount --uts --propagation private`).
# Everything mounted here is visible to this host only and disappears with it.
#   boot-host.sh ROOT HOSTNAME
set -eu
root=$1
name=$2

hostname "$name"

# The machine's libraries and data, read-only. The host's /etc, /var, /tmp, /root,
# /usr/local, /usr/jails ... are its own directories under ROOT.
for d in usr/lib usr/lib64 usr/share usr/libexec; do
  [ -d "/$d" ] || continue
  mkdir -p "$root/$d"
  mount -o bind,ro "/$d" "$root/$d"
done
# The machine's executables, read-only under /.sys: the host's own /bin, /sbin,
# /usr/bin and /usr/sbin hold symlinks into it for the commands a FreeBSD base offers.
for d in bin sbin; do
  mkdir -p "$root/.sys/$d"
  mount -o bind,ro "/usr/$d" "$root/.sys/$d"
done
mkdir -p "$root/dev" "$root/proc"
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"

# Optional per-host services that must run inside the namespace (e.g. zfs-fuse).
if [ -x "$root/.lab/boot.d/run" ]; then
  "$root/.lab/boot.d/run" "$root"
fi

# sshd becomes PID 1 of the host: killing it (or the unshare parent) ends the host.
exec chroot "$root" /usr/sbin/sshd -D -f /etc/ssh/sshd_config -E /var/log/sshd.log
