/**
 * The lab's package repository: small fake FreeBSD packages. Each installs a few files
 * (a program under /usr/local that prints its version, an rc.d script for servers) and
 * is listed in two repositories like FreeBSD's: `quarterly` and `latest`, where `latest`
 * carries newer versions of some packages (for `pkg upgrade` and `pkg version` '<').
 */

export interface PkgFile {
  content: string;
  mode?: number;
  /** Installed as FILE.sample, copied to FILE when FILE is absent (ports' @sample). */
  sample?: boolean;
}

export interface PkgUser {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}
export interface PkgGroup {
  name: string;
  gid: number;
}

export interface FakePackage {
  name: string;
  origin: string;
  comment: string;
  desc: string;
  www: string;
  maintainer: string;
  licenses: string[];
  categories: string[];
  /** Version in each repository branch. */
  versions: { quarterly: string; latest: string };
  deps?: string[];
  users?: PkgUser[];
  groups?: PkgGroup[];
  /** Message shown after install (pkg-message). */
  message?: string;
  files: (version: string) => Record<string, PkgFile>;
}

/** `name -V`-style program: prints one version line, whatever the arguments. */
function program(line: string): PkgFile {
  return { mode: 0o755, content: `#!/bin/sh\n# lab stand-in: prints its version\necho "${line}"\n` };
}

/** Upstream version without the ports revision/epoch: 1.26.2_1,3 → 1.26.2 */
const upstream = (v: string) => v.replace(/,\d+$/, '').replace(/_\d+$/, '');

function rcScript(name: string, body: string): PkgFile {
  return {
    mode: 0o555,
    content: `#!/bin/sh

# PROVIDE: ${name}
# REQUIRE: LOGIN cleanvar
# KEYWORD: shutdown
#
# Add the following line to /etc/rc.conf to enable ${name}:
# ${name}_enable="YES"

. /etc/rc.subr

name="${name}"
rcvar=${name}_enable

load_rc_config $name

${body}
run_rc_command "$1"
`,
  };
}

/**
 * The running daemon: the script itself, re-run as `SCRIPT --lab-daemon`, so that ps shows
 * the command path and rc.subr's check_pidfile (which matches procname against ps, as
 * FreeBSD's does) recognises it. It sleeps until stopped.
 */
const LAB_DAEMON_LOOP = `--lab-daemon)
	trap 'kill $s 2>/dev/null; exit 0' TERM INT
	while :; do sleep 3600 & s=$!; wait $s; done ;;
`;

/** A stand-in daemon: a background process whose pid is the service's pid file. */
function daemonScript(opts: { name: string; versionLine: string; versionFlag: string; pidfile: string; extra?: string }): PkgFile {
  return {
    mode: 0o755,
    content: `#!/bin/sh
# ${opts.name} (lab stand-in): ${opts.versionFlag} prints the version; otherwise starts a
# background process and records it in ${opts.pidfile}; -s stop|quit stops it.
pidfile=${opts.pidfile}
case "$1" in
${opts.versionFlag}) echo "${opts.versionLine}" >&2; exit 0 ;;
-s)
	[ -r "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	rm -f "$pidfile"; exit 0 ;;
${opts.extra ?? ''}${LAB_DAEMON_LOOP}esac
nohup "$0" --lab-daemon >/dev/null 2>&1 &
echo $! > "$pidfile"
exit 0
`,
  };
}

/**
 * debootstrap (lab stand-in): `debootstrap [--opts] SUITE TARGET [MIRROR]` lays out a small
 * Debian-shaped tree with a runnable static shell (the machine's busybox, which lab hosts see
 * at /.sys/bin/busybox) and etc/debian_version, printing debootstrap's first and last lines.
 * Enough for a Linux jail to chroot into; no packages, no apt.
 */
const DEBOOTSTRAP = `#!/bin/sh
while [ $# -gt 0 ]; do case "$1" in --*) shift ;; *) break ;; esac; done
suite=$1 target=$2
[ -n "$suite" ] && [ -n "$target" ] || { echo "E: You must specify a suite and a target." >&2; exit 1; }
case "$suite" in
bookworm|stable) version=12.8 ;; bullseye|oldstable) version=11.11 ;; trixie|testing) version=13.0 ;;
*) echo "E: No such script: /usr/local/share/debootstrap/scripts/$suite" >&2; exit 1 ;;
esac
echo "I: Target architecture can be executed"
echo "I: Retrieving InRelease "
mkdir -p "$target" && cd "$target" || exit 1
mkdir -p bin sbin etc usr/bin usr/sbin usr/lib var/lib/dpkg dev proc sys tmp home root run
chmod 1777 tmp
cp /.sys/bin/busybox bin/busybox
for a in sh bash cat echo ls mkdir rm cp mv ln uname id ps env test true false grep sed head tail wc; do ln -sf busybox "bin/$a"; done
echo "$version" > etc/debian_version
printf 'PRETTY_NAME="Debian GNU/Linux %s (%s)"\\nNAME="Debian GNU/Linux"\\nVERSION_CODENAME=%s\\nID=debian\\n' "\${version%%.*}" "$suite" "$suite" > etc/os-release
printf 'root:x:0:0:root:/root:/bin/sh\\n' > etc/passwd
printf 'root:x:0:\\n' > etc/group
: > var/lib/dpkg/status
echo "I: Base system installed successfully."
`;

export const PACKAGES: FakePackage[] = [
  {
    name: 'pkg',
    origin: 'ports-mgmt/pkg',
    comment: 'Package manager',
    desc: 'Package management tool\n\nWWW: https://github.com/freebsd/pkg',
    www: 'https://github.com/freebsd/pkg',
    maintainer: 'pkg@FreeBSD.org',
    licenses: ['BSD2CLAUSE'],
    categories: ['ports-mgmt'],
    versions: { quarterly: '1.21.3', latest: '1.21.3' },
    files: () => ({ '/usr/local/etc/pkg.conf': { content: '# pkg.conf (lab)\n', sample: true } }),
  },
  {
    name: 'indexinfo',
    origin: 'print/indexinfo',
    comment: 'Utility to regenerate the GNU info page index',
    desc: 'Utility to regenerate the GNU info page index',
    www: 'https://github.com/bapt/indexinfo',
    maintainer: 'bapt@FreeBSD.org',
    licenses: ['BSD2CLAUSE'],
    categories: ['print'],
    versions: { quarterly: '0.3.1', latest: '0.3.1' },
    files: () => ({ '/usr/local/bin/indexinfo': program('indexinfo 0.3.1') }),
  },
  {
    name: 'gettext-runtime',
    origin: 'devel/gettext-runtime',
    comment: 'GNU gettext runtime libraries and programs',
    desc: 'GNU gettext runtime libraries and programs',
    www: 'https://www.gnu.org/software/gettext/',
    maintainer: 'tijl@FreeBSD.org',
    licenses: ['GPLv3+', 'LGPL21+'],
    categories: ['devel'],
    versions: { quarterly: '0.22.5', latest: '0.22.5' },
    deps: ['indexinfo'],
    files: (v) => ({
      '/usr/local/bin/gettext': program(`gettext (GNU gettext-runtime) ${v}`),
      '/usr/local/lib/libintl.so.8': { content: 'lab placeholder\n' },
    }),
  },
  {
    name: 'bash',
    origin: 'shells/bash',
    comment: "GNU Project's Bourne Again SHell",
    desc: "This is GNU Bash. Bash is the GNU Project's Bourne Again SHell.",
    www: 'https://www.gnu.org/software/bash/',
    maintainer: 'ehaupt@FreeBSD.org',
    licenses: ['GPLv3+'],
    categories: ['shells'],
    versions: { quarterly: '5.2.37', latest: '5.2.37' },
    deps: ['gettext-runtime', 'indexinfo'],
    files: (v) => ({ '/usr/local/bin/bash': program(`GNU bash, version ${v}(0)-release (amd64-portbld-freebsd14.2)`) }),
  },
  {
    name: 'libevent',
    origin: 'devel/libevent',
    comment: 'API for executing callback functions on events or timeouts',
    desc: 'Provides an API to execute callback functions on events or timeouts.',
    www: 'https://libevent.org/',
    maintainer: 'sunpoet@FreeBSD.org',
    licenses: ['BSD3CLAUSE'],
    categories: ['devel'],
    versions: { quarterly: '2.1.12', latest: '2.1.12' },
    files: () => ({ '/usr/local/lib/libevent-2.1.so.7': { content: 'lab placeholder\n' } }),
  },
  {
    name: 'tmux',
    origin: 'sysutils/tmux',
    comment: 'Terminal Multiplexer',
    desc: 'tmux is a terminal multiplexer.',
    www: 'https://tmux.github.io/',
    maintainer: 'mat@FreeBSD.org',
    licenses: ['ISCL'],
    categories: ['sysutils'],
    versions: { quarterly: '3.5a', latest: '3.5a' },
    deps: ['libevent'],
    files: (v) => ({ '/usr/local/bin/tmux': program(`tmux ${v}`) }),
  },
  {
    name: 'debootstrap',
    origin: 'sysutils/debootstrap',
    comment: 'Install Debian or Ubuntu base system into a directory',
    desc: 'debootstrap is used to create a Debian base system from scratch, without requiring dpkg or apt.',
    www: 'https://wiki.debian.org/Debootstrap',
    maintainer: 'ports@FreeBSD.org',
    licenses: ['MIT'],
    categories: ['sysutils'],
    versions: { quarterly: '1.0.128nmu2_1', latest: '1.0.128nmu2_1' },
    files: () => ({ '/usr/local/sbin/debootstrap': { mode: 0o755, content: DEBOOTSTRAP } }),
  },
  {
    name: 'vim-tiny',
    origin: 'editors/vim@tiny',
    comment: 'Improved version of the vi editor (tiny flavor)',
    desc: 'Vim is a highly configurable text editor.',
    www: 'https://www.vim.org/',
    maintainer: 'adamw@FreeBSD.org',
    licenses: ['VIM'],
    categories: ['editors'],
    versions: { quarterly: '9.1.0905', latest: '9.1.1043' },
    files: (v) => ({ '/usr/local/bin/vim': program(`VIM - Vi IMproved ${v.split('.').slice(0, 2).join('.')} (patch ${v})`) }),
  },
  {
    name: 'ca_root_nss',
    origin: 'security/ca_root_nss',
    comment: 'Root certificate bundle from the Mozilla Project',
    desc: 'Root certificates from certificate authorities included in the Mozilla NSS library.',
    www: 'https://hg.mozilla.org/projects/nss',
    maintainer: 'ports-secteam@FreeBSD.org',
    licenses: ['MPL20'],
    categories: ['security'],
    versions: { quarterly: '3.108', latest: '3.108' },
    files: () => ({ '/usr/local/share/certs/ca-root-nss.crt': { content: '# lab placeholder certificate bundle\n' } }),
  },
  {
    name: 'libnghttp2',
    origin: 'www/libnghttp2',
    comment: 'HTTP/2.0 C Library',
    desc: 'nghttp2 is an implementation of HTTP/2 and its header compression algorithm HPACK in C.',
    www: 'https://nghttp2.org/',
    maintainer: 'sunpoet@FreeBSD.org',
    licenses: ['MIT'],
    categories: ['www', 'net'],
    versions: { quarterly: '1.64.0', latest: '1.64.0' },
    files: () => ({ '/usr/local/lib/libnghttp2.so.14': { content: 'lab placeholder\n' } }),
  },
  {
    name: 'curl',
    origin: 'ftp/curl',
    comment: 'Command line tool and library for transferring data with URLs',
    desc: 'curl is a command line tool for transferring data with URL syntax.',
    www: 'https://curl.se/',
    maintainer: 'sunpoet@FreeBSD.org',
    licenses: ['MIT'],
    categories: ['ftp', 'net', 'www'],
    versions: { quarterly: '8.11.1', latest: '8.12.1' },
    deps: ['ca_root_nss', 'libnghttp2'],
    files: (v) => ({ '/usr/local/bin/curl': program(`curl ${v} (amd64-portbld-freebsd14.2) libcurl/${v}`) }),
  },
  {
    name: 'pcre2',
    origin: 'devel/pcre2',
    comment: 'Perl Compatible Regular Expressions library, version 2',
    desc: 'The PCRE2 library is a set of functions that implement regular expression pattern matching.',
    www: 'https://www.pcre.org/',
    maintainer: 'garga@FreeBSD.org',
    licenses: ['BSD3CLAUSE'],
    categories: ['devel'],
    versions: { quarterly: '10.44', latest: '10.44' },
    files: () => ({ '/usr/local/lib/libpcre2-8.so.0': { content: 'lab placeholder\n' } }),
  },
  {
    name: 'nginx',
    origin: 'www/nginx',
    comment: 'Robust and small WWW server',
    desc: 'NGINX is a high performance edge web server.',
    www: 'https://nginx.org/',
    maintainer: 'joneum@FreeBSD.org',
    licenses: ['BSD2CLAUSE'],
    categories: ['www'],
    versions: { quarterly: '1.26.2_1,3', latest: '1.26.3,3' },
    deps: ['pcre2'],
    users: [{ name: 'www', uid: 80, gid: 80, gecos: 'World Wide Web Owner', home: '/nonexistent', shell: '/usr/sbin/nologin' }],
    groups: [{ name: 'www', gid: 80 }],
    files: (v) => ({
      '/usr/local/sbin/nginx': daemonScript({
        name: 'nginx',
        versionFlag: '-v',
        versionLine: `nginx version: nginx/${upstream(v)}`,
        pidfile: '/var/run/nginx.pid',
        extra:
          '-t) echo "nginx: the configuration file /usr/local/etc/nginx/nginx.conf syntax is ok" >&2\n\techo "nginx: configuration file /usr/local/etc/nginx/nginx.conf test is successful" >&2; exit 0 ;;\n',
      }),
      '/usr/local/etc/nginx/nginx.conf': {
        sample: true,
        content:
          'worker_processes  1;\nevents {\n    worker_connections  1024;\n}\nhttp {\n    server {\n        listen       80;\n        server_name  localhost;\n    }\n}\n',
      },
      '/usr/local/etc/rc.d/nginx': rcScript(
        'nginx',
        'command="/usr/local/sbin/nginx"\npidfile="/var/run/nginx.pid"\n: ${nginx_enable:="NO"}\nstop_cmd="${command} -s stop"\n',
      ),
    }),
  },
  {
    name: 'postgresql16-client',
    origin: 'databases/postgresql16-client',
    comment: 'PostgreSQL database (client)',
    desc: 'PostgreSQL is the most advanced open-source database available anywhere.',
    www: 'https://www.postgresql.org/',
    maintainer: 'pgsql@FreeBSD.org',
    licenses: ['PostgreSQL'],
    categories: ['databases'],
    versions: { quarterly: '16.6', latest: '16.8' },
    files: (v) => ({ '/usr/local/bin/psql': program(`psql (PostgreSQL) ${v}`) }),
  },
  {
    name: 'postgresql16-server',
    origin: 'databases/postgresql16-server',
    comment: 'PostgreSQL is the most advanced open-source database available anywhere',
    desc: 'PostgreSQL is the most advanced open-source database available anywhere.',
    www: 'https://www.postgresql.org/',
    maintainer: 'pgsql@FreeBSD.org',
    licenses: ['PostgreSQL'],
    categories: ['databases'],
    versions: { quarterly: '16.6', latest: '16.8' },
    deps: ['postgresql16-client'],
    users: [{ name: 'postgres', uid: 770, gid: 770, gecos: 'PostgreSQL Daemon', home: '/var/db/postgres', shell: '/bin/sh' }],
    groups: [{ name: 'postgres', gid: 770 }],
    message:
      'To initialize the database, run\n\n  /usr/local/etc/rc.d/postgresql initdb\n\nYou can then start PostgreSQL by running:\n\n  /usr/local/etc/rc.d/postgresql start\n',
    files: (v) => ({
      '/usr/local/bin/postgres': postgresDaemon(v),
      '/usr/local/bin/initdb': initdbScript(v.split('.')[0] as string),
      '/usr/local/etc/rc.d/postgresql': rcScript(
        'postgresql',
        ': ${postgresql_enable:="NO"}\n: ${postgresql_data:="/var/db/postgres/data16"}\n' +
          'command="/usr/local/bin/postgres"\npidfile="${postgresql_data}/postmaster.pid"\ncommand_args="-D ${postgresql_data}"\n' +
          'extra_commands="initdb"\ninitdb_cmd="postgresql_initdb"\n' +
          'postgresql_initdb() { /usr/local/bin/initdb -D ${postgresql_data} -U postgres; }\n',
      ),
    }),
  },
];

/**
 * initdb (lab stand-in) with the options and checks of PostgreSQL 16's for what the seed's
 * `initdb -A scram-sha-256 -E UTF8 -W -D DIR` needs: -D/--pgdata (or the operand), -A/--auth
 * (pg_hba.conf's method for local and host lines), -E/--encoding, -U/--username, --pwfile=FILE
 * (the first line is the superuser's password), -W/--pwprompt; the real messages for a
 * password method without a password, an unreadable or empty password file, both -W and
 * --pwfile, a bad method, and a non-empty data directory. Where PostgreSQL keeps the SCRAM
 * verifier (global/pg_authid, 0600), the lab keeps "USER METHOD HEX-OF-PASSWORD", for tests.
 */
function initdbScript(major: string): PkgFile {
  return {
    mode: 0o755,
    content: `#!/bin/sh
# initdb (lab stand-in)
fail() { echo "initdb: error: $*" >&2; exit 1; }
auth= pwfile= prompt= enc=SQL_ASCII user=$(id -un)
while [ $# -gt 0 ]; do
	case $1 in
	-D|-A|-E|-U) [ $# -ge 2 ] || fail "option requires an argument -- '\${1#-}'"; opt=$1; val=$2; shift ;;
	-D*|-A*|-E*|-U*) opt=\${1%"\${1#??}"}; val=\${1#??} ;;
	--pgdata=*) opt=-D; val=\${1#*=} ;;
	--auth=*) opt=-A; val=\${1#*=} ;;
	--encoding=*) opt=-E; val=\${1#*=} ;;
	--username=*) opt=-U; val=\${1#*=} ;;
	--pwfile=*) opt=--pwfile; val=\${1#*=} ;;
	-W|--pwprompt) opt=-W; val= ;;
	--lc-collate=*|--lc-ctype=*|--locale=*|--no-locale|-k|--data-checksums) opt=; val= ;;
	-*) echo "initdb: unrecognized option '$1'" >&2; echo 'Try "initdb --help" for more information.' >&2; exit 1 ;;
	*) opt=-D; val=$1 ;;
	esac
	case $opt in -D) PGDATA=$val ;; -A) auth=$val ;; -E) enc=$val ;; -U) user=$val ;; --pwfile) pwfile=$val ;; -W) prompt=1 ;; esac
	shift
done
[ -n "$PGDATA" ] || fail "no data directory specified"
[ -n "$prompt" ] && [ -n "$pwfile" ] && fail "password prompt and password file cannot be specified together"
case \${auth:=trust} in
trust|reject|peer|ident|md5|password|scram-sha-256) ;;
*) fail "invalid authentication method \\"$auth\\" for \\"local\\" connections" ;;
esac
case $auth in md5|password|scram-sha-256) [ -n "$pwfile$prompt" ] || fail "must specify a password for the superuser to enable password authentication" ;; esac
pw=
if [ -n "$pwfile" ]; then
	[ -r "$pwfile" ] || fail "could not open file \\"$pwfile\\" for reading: No such file or directory"
	IFS= read -r pw < "$pwfile"
	[ -n "$pw" ] || fail "password file \\"$pwfile\\" is empty"
elif [ -n "$prompt" ]; then
	fail "could not read password from terminal (the lab has none)"
fi
if [ -d "$PGDATA" ] && [ -n "$(ls -A "$PGDATA")" ]; then
	fail "directory \\"$PGDATA\\" exists but is not empty"
fi
echo "The files belonging to this database system will be owned by user \\"$(id -un)\\"."
echo "The database cluster will be initialized with this locale configuration: C; default database encoding is \\"$enc\\"."
[ "$auth" = trust ] && echo 'initdb: warning: enabling "trust" authentication for local connections' >&2
mkdir -p "$PGDATA/global" && chmod 700 "$PGDATA" || exit 1
printf '%s\n' "# TYPE  DATABASE        USER            ADDRESS                 METHOD" \
	"local   all             all                                     $auth" \
	"host    all             all             127.0.0.1/32            $auth" \
	"host    all             all             ::1/128                 $auth" > "$PGDATA/pg_hba.conf"
(umask 077; echo "$user $auth $(printf '%s' "$pw" | od -An -tx1 | tr -d ' \n')" > "$PGDATA/global/pg_authid")
echo ${major} > "$PGDATA/PG_VERSION"
echo "Success. You can now start the database server using:"
`,
  };
}

/**
 * postgres (lab stand-in). FreeBSD jails without allow.sysvipc make shmget(2) fail; the
 * lab cannot make the Linux kernel do that, so the jail emulation provides a probe program:
 * when ${LAB_SYSVIPC_PROBE:-/usr/bin/sysvipc-probe} exists and exits non-zero,
 * postgres fails with PostgreSQL's real message for that case.
 */
function postgresDaemon(version: string): PkgFile {
  return {
    mode: 0o755,
    content: `#!/bin/sh
case "$1" in
--version|-V) echo "postgres (PostgreSQL) ${version}"; exit 0 ;;
${LAB_DAEMON_LOOP}esac
while getopts "D:" o; do case $o in D) PGDATA=$OPTARG ;; esac; done
probe=\${LAB_SYSVIPC_PROBE:-/usr/bin/sysvipc-probe}
if [ -x "$probe" ] && ! "$probe" >/dev/null 2>&1; then
	echo "$(date '+%Y-%m-%d %H:%M:%S.000 %Z') [$$] FATAL:  could not create shared memory segment: Function not implemented" >&2
	echo "$(date '+%Y-%m-%d %H:%M:%S.000 %Z') [$$] DETAIL:  Failed system call was shmget(key=5432001, size=56, 03600)." >&2
	exit 1
fi
[ -n "$PGDATA" ] && [ -r "$PGDATA/PG_VERSION" ] || { echo "postgres: could not access directory \\"$PGDATA\\": No such file or directory" >&2; exit 1; }
nohup "$0" --lab-daemon >/dev/null 2>&1 &
echo $! > "$PGDATA/postmaster.pid"
exit 0
`,
  };
}
