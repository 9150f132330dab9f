/**
 * A throw-away root for running generated shell scripts with a real sh (the machine's dash)
 * where nothing they do can reach this machine: a chroot whose only real program is sh; every
 * other command is a stub that logs its name and arguments and exits 0 (jls prints a jail
 * root). The stub `fjmark` is the marker: hostile values plant `$(fjmark)`, `;fjmark` ...;
 * if it ever runs, the case that ran it is recorded in /hits. Files the scripts create (only
 * redirections can) are listed afterwards.
 *
 * Needs root or unprivileged user namespaces (unshare -r) for chroot.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const MARKER_COMMAND = 'fjmark';

/** Commands the scripts may call; a missing one shows up as "not found" (see SandboxRun.missing). */
const STUBS = [
  'awk',
  'basename',
  'cat',
  'chflags',
  'chmod',
  'chown',
  'cmp',
  'cp',
  'cut',
  'date',
  'dd',
  'devfs',
  'dirname',
  'doas',
  'du',
  'env',
  'fetch',
  'find',
  'freebsd-update',
  'freebsd-version',
  'grep',
  'head',
  'hostname',
  'id',
  'ifconfig',
  'jail',
  'jexec',
  'jls',
  'kill',
  'kldload',
  'kldstat',
  'ln',
  'ls',
  'md5',
  'mkdir',
  'mktemp',
  'mount',
  'mount_nullfs',
  'mv',
  'nohup',
  'pfctl',
  'pkg',
  'ps',
  'readlink',
  'rm',
  'rmdir',
  'route',
  'sed',
  'service',
  'sha256',
  'sleep',
  'sort',
  'stat',
  'sudo',
  'sysctl',
  'sysrc',
  'tail',
  'tar',
  'tee',
  'timeout',
  'touch',
  'tr',
  'umount',
  'uname',
  'wc',
  'xargs',
  'zfs',
  'zpool',
  'bin/freebsd-version',
];

export interface SandboxRun {
  /** Case ids whose scripts ran the marker command. */
  hits: string[];
  /** Files that appeared in the sandbox (paths inside it), other than its own bookkeeping. */
  newFiles: string[];
  /** Command names sh could not find (add them to STUBS). */
  missing: string[];
  /** Every stubbed command the scripts ran: the case's id, then argv (name first). */
  calls: Array<{ id: string; argv: string[] }>;
  errs: Map<string, string>;
}

function copyWithDir(from: string, root: string): void {
  const to = path.join(root, from);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, 0o755);
}

function listFiles(dir: string, base = dir, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(`/${path.relative(base, p)}`);
    if (e.isDirectory()) listFiles(p, base, out);
  }
  return out;
}

/** Whether this machine can run the sandbox (chroot as root, or through a user namespace). */
export function sandboxAvailable(): boolean {
  if (process.getuid?.() === 0) return true;
  return spawnSync('unshare', ['-r', 'true']).status === 0;
}

/** Runs each script (id -> text) as `/bin/sh FILE` in a fresh sandbox. */
export function runInSandbox(scripts: Map<string, string>): SandboxRun {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-sandbox-'));
  try {
    const sh = fs.realpathSync('/bin/sh');
    copyWithDir(sh, root);
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    if (!fs.existsSync(path.join(root, 'bin/sh'))) fs.symlinkSync(sh, path.join(root, 'bin/sh'));
    for (const line of execFileSync('ldd', [sh], { encoding: 'utf8' }).split('\n')) {
      const lib = /(\/\S+)\s+\(0x/.exec(line)?.[1];
      if (lib) copyWithDir(lib, root);
    }
    for (const d of ['stub', 'stub/bin', 'cases', 'errs', 'tmp', 'dev']) fs.mkdirSync(path.join(root, d), { recursive: true });
    // /dev/null: the device as root; in a user namespace (no mknod) a file the driver empties before each case.
    if (process.getuid?.() !== 0 || spawnSync('mknod', ['-m', '666', path.join(root, 'dev/null'), 'c', '1', '3']).status !== 0)
      fs.writeFileSync(path.join(root, 'dev/null'), '');
    // One record per call: the case, the command's name and each argument, \036 before each, \035 at the end.
    const logCall = 'for fj_a in "$FJ_CASE" "${0##*/stub/}" "$@"; do printf \'\\036%s\' "$fj_a"; done >> /log; printf \'\\035\' >> /log\n';
    fs.writeFileSync(path.join(root, 'stub/_stub'), `#!/bin/sh\n${logCall}exit 0\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'stub/jls'), `#!/bin/sh\n${logCall}echo /fj-jails/www\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(root, `stub/${MARKER_COMMAND}`), '#!/bin/sh\nprintf \'%s\\n\' "$FJ_CASE" >> /hits\n', { mode: 0o755 });
    for (const name of STUBS)
      if (!fs.existsSync(path.join(root, 'stub', name))) fs.symlinkSync('/stub/_stub', path.join(root, 'stub', name));
    const ids = [...scripts.keys()];
    ids.forEach((id, i) => fs.writeFileSync(path.join(root, 'cases', String(i)), scripts.get(id) as string));
    fs.writeFileSync(
      path.join(root, 'driver'),
      [
        'PATH=/stub:/stub/bin; export PATH',
        'for f in /cases/*; do [ -c /dev/null ] || : > /dev/null; FJ_CASE=${f##*/}; export FJ_CASE; ( cd /tmp && /bin/sh "$f" ) </dev/null >/dev/null 2>"/errs/$FJ_CASE"; done',
        'exit 0',
        '',
      ].join('\n'),
    );
    const before = new Set(listFiles(root));
    const cmd =
      process.getuid?.() === 0
        ? (['chroot', [root, '/bin/sh', '/driver']] as const)
        : (['unshare', ['-r', 'chroot', root, '/bin/sh', '/driver']] as const);
    const r = spawnSync(cmd[0], [...cmd[1]], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`sandbox driver failed (${r.status}): ${r.stderr}`);
    const read = (f: string) => (fs.existsSync(path.join(root, f)) ? fs.readFileSync(path.join(root, f), 'utf8') : '');
    const hits = [...new Set(read('hits').split('\n').filter(Boolean))].map((i) => ids[Number(i)] as string);
    const errs = new Map<string, string>();
    const missing = new Set<string>();
    ids.forEach((id, i) => {
      const e = read(`errs/${i}`);
      if (e) errs.set(id, e);
      for (const m of e.matchAll(/: ([A-Za-z0-9_./-]+): not found/g)) missing.add(m[1] as string);
    });
    const own = /^\/(log|hits|errs|errs\/.*)$/;
    const newFiles = listFiles(root).filter((f) => !before.has(f) && !own.test(f));
    const calls = read('log')
      .split('\x1d')
      .filter(Boolean)
      .map((rec) => {
        const [, c, ...argv] = rec.split('\x1e');
        return { id: ids[Number(c)] as string, argv };
      });
    return { hits, newFiles, missing: [...missing], calls, errs };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
