/**
 * Bringing a lab fleet up and down. Each host is one process tree:
 *   unshare (pid/mount/uts/ipc namespaces) → boot-host.sh as PID 1 → exec chroot → sshd -D
 * Killing the unshare process kills PID 1 of the host's namespace (--kill-child), which
 * ends every process of that host and drops all its mounts with the namespace.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { LAB_SOURCE_DIR, USERLAND_DIR, type LabLayout, hostAddress, hostName, paths } from './layout.js';
import { buildHostRoot, hostPublicKey, OPS_USER } from './host-root.js';
import { startMirror, stopMirror } from './mirror/server.js';
import { buildCCommands } from './c-commands.js';

export interface LabHost {
  name: string;
  address: string;
  loginShell: '/bin/sh' | '/bin/tcsh';
  /** PID of the host's `unshare` process, as seen from the machine. */
  pid: number;
}

export interface LabState {
  hosts: LabHost[];
}

export function readState(layout: LabLayout): LabState {
  try {
    return JSON.parse(fs.readFileSync(paths(layout).state, 'utf8')) as LabState;
  } catch {
    return { hosts: [] };
  }
}

function writeState(layout: LabLayout, state: LabState): void {
  fs.writeFileSync(paths(layout).state, JSON.stringify(state, null, 2) + '\n');
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface UpOptions {
  hosts: number;
  /** Per-host lab options passed to the boot hooks, e.g. { zfs: 'real' }. */
  features?: Record<string, string>;
  /** Seconds to wait for every sshd to accept connections. */
  timeoutSec?: number;
  log?: (msg: string) => void;
}

export async function labUp(layout: LabLayout, opts: UpOptions): Promise<LabState> {
  const log = opts.log ?? (() => {});
  const p = paths(layout);
  fs.mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(p.clientKey)) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'fleetjail-lab', '-f', p.clientKey]);
  }
  const authorizedKey = fs.readFileSync(p.clientKey + '.pub', 'utf8');
  // The lab's C commands (stat, md5 family), mounted by every host at /.sys/lab-bin.
  buildCCommands(path.join(layout.dir, 'bin'));
  // The lab's FreeBSD mirror (releases, updates, packages): a machine-level service, see mirror/server.ts.
  await startMirror(layout, log);

  const previous = readState(layout);
  const keep = new Map(previous.hosts.filter((h) => isAlive(h.pid)).map((h) => [h.name, h]));
  const wanted: LabHost[] = [];
  for (let i = 1; i <= opts.hosts; i++) {
    const name = hostName(i, opts.hosts);
    let running = keep.get(name);
    // A host booted before the lab had C commands has no /.sys/lab-bin: its PATH links
    // point at removed overlay files, so it is rebuilt.
    if (running && !fs.existsSync(path.join(p.hostRoot(name), '.sys/lab-bin'))) {
      await stopHost(running);
      keep.delete(name);
      running = undefined;
    }
    if (running) {
      wanted.push(running);
      keep.delete(name);
      continue;
    }
    const host: LabHost = { name, address: hostAddress(layout, i), loginShell: i % 2 === 0 ? '/bin/tcsh' : '/bin/sh', pid: 0 };
    if (await acceptsTcp(host.address, 22, 300)) {
      throw new Error(`lab: ${host.address}:22 is already in use (another lab on subnet ${layout.subnet}? run \`npm run lab -- down\`)`);
    }
    buildHostRoot(p.hostRoot(name), { ...host, authorizedKey, features: { zfs: 'real', ...opts.features } });
    host.pid = startHost(layout, host);
    wanted.push(host);
  }
  // Hosts beyond the requested count (from an earlier, larger `up`) are stopped.
  for (const extra of keep.values()) await stopHost(extra);

  const state: LabState = { hosts: wanted };
  writeState(layout, state);
  log(`lab: starting ${wanted.length} hosts in ${layout.dir}`);
  await waitForSshd(state.hosts, (opts.timeoutSec ?? 60) * 1000);
  writeKnownHosts(layout, state);
  writeInventory(layout, state);
  log(`lab: ${wanted.length} hosts up; inventory ${p.inventory}`);
  return state;
}

function startHost(layout: LabLayout, host: LabHost): number {
  const hostDir = paths(layout).hostDir(host.name);
  const logFd = fs.openSync(path.join(hostDir, 'boot.log'), 'a');
  const child = spawn(
    'unshare',
    [
      // --ipc: each host has its own SysV IPC, as separate machines do (jails that inherit it share their host's).
      '--pid',
      '--fork',
      '--kill-child',
      '--mount',
      '--uts',
      '--ipc',
      '--propagation',
      'private',
      '/bin/sh',
      path.join(LAB_SOURCE_DIR, 'boot-host.sh'),
      paths(layout).hostRoot(host.name),
      host.name,
      USERLAND_DIR,
    ],
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  child.unref();
  if (!child.pid) throw new Error(`lab: could not start ${host.name}`);
  return child.pid;
}

async function waitForSshd(hosts: LabHost[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(hosts);
  while (pending.size > 0) {
    await Promise.all(
      [...pending].map(async (h) => {
        if (await acceptsTcp(h.address, 22)) pending.delete(h);
        else if (!isAlive(h.pid)) throw new Error(`lab: host ${h.name} exited during boot; see its boot.log`);
      }),
    );
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      throw new Error(`lab: sshd did not come up on ${[...pending].map((h) => h.name).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function acceptsTcp(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port, timeout: timeoutMs });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(false));
  });
}

function writeKnownHosts(layout: LabLayout, state: LabState): void {
  const lines = state.hosts.map((h) => {
    const [type, key] = hostPublicKey(paths(layout).hostRoot(h.name)).split(/\s+/);
    return `${h.address} ${type} ${key}`;
  });
  fs.writeFileSync(paths(layout).knownHosts, lines.join('\n') + '\n', { mode: 0o600 });
}

function writeInventory(layout: LabLayout, state: LabState): void {
  const p = paths(layout);
  const out: string[] = [
    '# Written by `npm run lab -- up`: the lab fleet on loopback addresses.',
    'defaults:',
    '  user: root',
    '  port: 22',
    `  identity_file: ${p.clientKey}`,
    `  known_hosts: ${p.knownHosts}`,
    // What the seed playbooks need to know about the lab: where its FreeBSD mirror is.
    'vars:',
    '  freebsd_mirror: http://mirror.lab/pub/FreeBSD/releases',
    'hosts:',
  ];
  for (const h of state.hosts) {
    out.push(`  ${h.name}:`, `    address: ${h.address}`, '    vars:', `      lab_login_shell: ${h.loginShell}`);
  }
  const byShell = (shell: string) => state.hosts.filter((h) => h.loginShell === shell).map((h) => h.name);
  out.push('groups:');
  out.push(`  sh_login: { hosts: [${byShell('/bin/sh').join(', ')}] }`);
  out.push(`  tcsh_login: { hosts: [${byShell('/bin/tcsh').join(', ')}] }`);
  out.push(`  canary: { hosts: [${state.hosts[0]?.name ?? ''}] }`);
  out.push(`  jailhosts: { hosts: [${state.hosts.map((h) => h.name).join(', ')}] }`);
  out.push(`# The same hosts reached as the unprivileged user '${OPS_USER.name}' with doas: use -u ${OPS_USER.name} --become doas`);
  fs.writeFileSync(p.inventory, out.join('\n') + '\n');
}

/**
 * SIGTERM to the host's PID 1 (boot-host.sh) runs its stop hooks and ends the host;
 * SIGKILL to unshare is the fallback, which ends the namespace all the same.
 */
async function stopHost(host: LabHost): Promise<void> {
  if (!isAlive(host.pid)) return;
  const init = namespaceInit(host.pid);
  if (init) process.kill(init, 'SIGTERM');
  for (let i = 0; i < 300 && isAlive(host.pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(host.pid)) process.kill(host.pid, 'SIGKILL');
}

/** The child of `unshare --fork`: PID 1 inside the host, as the machine numbers it. */
export function namespaceInit(unsharePid: number): number | undefined {
  try {
    const children = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim();
    return children ? Number(children.split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}

export async function labDown(layout: LabLayout, opts: { keepFiles?: boolean; log?: (m: string) => void } = {}): Promise<void> {
  const state = readState(layout);
  await Promise.all(state.hosts.map(stopHost));
  await stopMirror(layout);
  // PID 1's death ends the namespace's processes asynchronously; give them a moment.
  let stray = findStrayProcesses(layout);
  for (let i = 0; i < 100 && stray.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    stray = findStrayProcesses(layout);
  }
  if (stray.length > 0) throw new Error(`lab: processes still running under ${layout.dir}: ${stray.join(', ')}`);
  // Host mounts live in the hosts' namespaces; none may show up in the machine's.
  const leaked = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(layout.dir));
  if (leaked.length > 0) throw new Error(`lab: mounts left on the machine: ${leaked.join('; ')}`);
  if (!opts.keepFiles) fs.rmSync(path.join(layout.dir, 'hosts'), { recursive: true, force: true });
  writeState(layout, { hosts: [] });
  opts.log?.(`lab: ${state.hosts.length} hosts stopped`);
}

/** PIDs of any process whose root directory lies inside the lab: what `down` must leave at zero. */
export function findStrayProcesses(layout: LabLayout): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const root = fs.readlinkSync(`/proc/${entry}/root`);
      if (root.startsWith(layout.dir + path.sep)) found.push(Number(entry));
    } catch {
      // process gone or not ours to inspect
    }
  }
  return found;
}

export async function labStatus(layout: LabLayout): Promise<Array<LabHost & { running: boolean; sshd: boolean }>> {
  const state = readState(layout);
  return Promise.all(state.hosts.map(async (h) => ({ ...h, running: isAlive(h.pid), sshd: await acceptsTcp(h.address, 22) })));
}
