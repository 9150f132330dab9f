#!/usr/bin/env bash
# Installs the Debian packages the lab fleet needs (run as root on Debian 12).
# Idempotent: skips apt entirely when everything is already installed.
set -euo pipefail

packages=(
  openssh-server   # one sshd per lab host
  openssh-client   # ssh-keygen; tests cross-check with ssh
  util-linux       # unshare, nsenter, mount
  iproute2
  procps           # ps/pgrep: rc.subr on lab hosts, and the jail-side ps's server (lib/jail/ps-serve.sh)
  doas             # become for the unprivileged lab user
  tcsh             # csh-family login shells, as FreeBSD root's may be
  zfs-fuse         # real ZFS per host
  busybox-static   # the static shell inside release tarballs and jails
  libarchive-tools # bsdtar: FreeBSD's tar
  xz-utils
  zstd
  # ZFS (#3): compiles userland/lib/zfs/physmem-shim.c, which cuts each zfs-fuse daemon from ~80 to ~12 MB
  gcc
  libc6-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Services are started by the lab inside its own namespaces, never by the package
  # scripts: a machine-wide sshd on 0.0.0.0:22 would take the lab hosts' port.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
