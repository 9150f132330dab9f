#!/bin/sh
# Builds a minimal FreeBSD-shaped jail root for lab tests (inside a lab host):
#   sh /.sys/userland/lib/jail/mini-root.sh DIR [VERSION]
# bin/sh and the usual applets from the machine's static busybox, bin/freebsd-version
# printing VERSION (default 14.2-RELEASE), etc/rc and etc/rc.shutdown, a root account,
# and the lab's jail-side tools (sbin/ifconfig, sbin/route, sbin/sysctl,
# usr/bin/sysvipc-probe, bin/ps, usr/bin/nohup). Release tarballs (#4) are the real thing; this is for tests.
set -eu
dir=$1
version=${2:-14.2-RELEASE}
side=/.sys/userland/lib/jail/jail-side
mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin lib libexec usr/bin usr/sbin usr/lib usr/local/bin etc/rc.d dev tmp var/run var/log var/tmp root proc boot
chmod 1777 tmp var/tmp
cp /.sys/bin/busybox bin/busybox
for a in sh cat echo ls mkdir rm cp mv ln sleep hostname id whoami ps kill env test true false printf grep sed awk head tail wc touch uname date logger logread syslogd ping ipcs timeout mount umount df stat chmod chown find sort tr cut expr basename dirname readlink; do
	ln -sf busybox "bin/$a"
done
cat > bin/freebsd-version <<EOV
#!/bin/sh
# freebsd-version(1) of this (lab) userland; FreeBSD's carries the same variable, which
# tools read without running the script.
USERLAND_VERSION="$version"
case "\${1:-}" in
-k) echo "$version" ;;
-r) echo "$version" ;;
*) echo "$version" ;;
esac
EOV
chmod 555 bin/freebsd-version
ln -sf ../../bin/busybox usr/sbin/chroot
for t in ifconfig route sysctl; do cp "$side/$t" "sbin/$t"; done
cp "$side/sysvipc-probe" usr/bin/sysvipc-probe
rm -f bin/ps && cp "$side/ps" bin/ps
cp "$side/nohup" usr/bin/nohup
chmod 555 sbin/ifconfig sbin/route sbin/sysctl usr/bin/sysvipc-probe bin/ps usr/bin/nohup
# busybox sh would run its own ps applet (it needs a /proc jails lack) before bin/ps.
/.sys/bin/node /.sys/userland/lib/jail/hide-applets.cjs bin/busybox ps
cat > etc/rc <<'EOR'
#!/bin/sh
# Minimal lab /etc/rc: what a jail's rc prints at start.
echo "Setting hostname: $(hostname)."
echo "Starting jail services."
date
EOR
cat > etc/rc.shutdown <<'EOR'
#!/bin/sh
echo "Stopping jail services."
EOR
printf 'root:*:0:0:Charlie &:/root:/bin/sh\ntoor:*:0:0:Bourne-again Superuser:/root:\ndaemon:*:1:1:Owner of many system processes:/root:/usr/sbin/nologin\nnobody:*:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin\n' > etc/passwd
printf 'wheel:*:0:root\ndaemon:*:1:\nnobody:*:65534:\n' > etc/group
: > etc/rc.conf
