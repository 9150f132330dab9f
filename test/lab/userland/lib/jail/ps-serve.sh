#!/bin/sh
# Host side of ps(1) inside a lab jail. The jail's holder runs this outside the jail's chroot
# (where /proc is the host's): jails have no /proc, and a procfs inside them would show the
# host's processes. A jail-side `ps` (jail-side/ps) makes a FIFO in the jail's
# /dev/.lab/ps/, writes its pid to /dev/.lab/ps/req, and gets back one line per process whose
# root directory is the jail's path (what FreeBSD's ps shows in a jail), then a "." line.
#   sh ps-serve.sh JAIL_PATH
# Without the jail's devfs (no /dev/.lab) there is nothing to serve: the holder only holds.
root=$1
B=/.sys/bin
dir=$root/dev/.lab/ps
if [ -d "$root/dev/.lab" ] && [ ! -L "$root/dev/.lab" ] && $B/mkdir -m 1777 "$dir" 2>/dev/null && $B/mkfifo -m 622 "$dir/req" 2>/dev/null; then
	exec 3<>"$dir/req"
else
	exec $B/sleep infinity
fi
exec </dev/null >/dev/null 2>&1
# find -lname takes a glob: quote the path's glob characters.
pat=$(printf '%s\n' "$root" | $B/sed 's/[][\\*?]/\\&/g')
FIELDS=pid=,ppid=,pgid=,sid=,uid=,etimes=,cputimes=,pcpu=,pmem=,vsz=,rss=,ni=,stat=,tname=,args=
while read -r id <&3; do
	case $id in ''|*[!0-9]*) continue ;; esac
	reply=$dir/$id
	[ -p "$reply" ] || continue
	pids=
	for p in $($B/find /proc -mindepth 2 -maxdepth 2 -name root -lname "$pat" -printf '%h\n'); do pids="${pids:+$pids,}${p#/proc/}"; done
	# The reply FIFO is the jail's: never follow a link out of it, never create a file, and give
	# up on a client that went away without reading.
	{ [ -z "$pids" ] || $B/ps -ww -o "$FIELDS" -p "$pids"; echo .; } |
		$B/timeout 5 $B/dd of="$reply" oflag=nofollow conv=nocreat,notrunc status=none
done
