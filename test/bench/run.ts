/**
 * `npm run bench [-- --hosts N --runs R]`: fleetjail's cost on a lab fleet, as ratios to
 * the connection floor measured in the same run (this machine is shared and noisy).
 *
 *   floor        `fleetjail exec all -- true`: connect to every host, one command each
 *   ping         `fleetjail ping all`: the same through the ping command
 *   first run    `fleetjail run playbooks/bench.yaml` on unconverged hosts (10 sysrc
 *                variables, 1 file, 1 guarded command; the hosts are reset before each
 *                measured run, outside the measurement)
 *   converged    the same playbook again, nothing to change
 *   copy 100 MB  a file step with `src:` a 100 MB local file to --copy-hosts hosts (default 4):
 *                the controller's peak RSS (the file is streamed, never held: target < 200 MiB)
 *   copy 10 MB   the same with a 10 MB file: wall time and throughput
 *                (both copies checked from their reports, and removed between runs)
 *
 * The phases are interleaved (floor, ping, reset, first run, converged; R times), so a
 * burst of load on the machine hits every phase alike. Each figure is the median of R runs
 * of the CLI as a child process: wall time and the child's peak RSS. The playbook runs are
 * checked from their JSON reports (every host changed, then every host unchanged), and the
 * engine's round trips per host are shown. The bench uses its own lab (.lab-bench,
 * 127.50.x.x, or FLEETJAIL_LAB_SUBNET) and tears it down. `--phases` runs a part:
 * `--phases copy` only the floor and the copies.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { PROJECT_ROOT, hostName, paths, type LabLayout } from '../lab/layout.js';
import { labDown, labUp } from '../lab/fleet.js';
import { measure, type Measurement } from './measure.js';

const program = new Command('bench')
  .option('--hosts <n>', 'lab size', (v) => Number.parseInt(v, 10), 50)
  .option('--runs <n>', 'runs per phase (the median is reported)', (v) => Number.parseInt(v, 10), 3)
  .option('--copy-hosts <n>', 'hosts the large-file copies go to', (v) => Number.parseInt(v, 10), 4)
  .option('--phases <list>', 'which measurements besides the floor: ping, playbook, copy', 'ping,playbook,copy')
  .option('--keep-lab', 'leave the bench lab up afterwards')
  .parse();
const opts = program.opts<{ hosts: number; runs: number; copyHosts: number; phases: string; keepLab?: boolean }>();
const wanted = new Set(opts.phases.split(',').map((p) => p.trim()));
for (const p of wanted)
  if (!['ping', 'playbook', 'copy'].includes(p)) throw new Error(`bench: unknown phase '${p}' (ping, playbook, copy)`);
const copyHosts = Math.min(opts.copyHosts, opts.hosts);

const layout: LabLayout = { dir: path.join(PROJECT_ROOT, '.lab-bench'), subnet: process.env.FLEETJAIL_LAB_SUBNET ?? '127.50' };
const inventory = paths(layout).inventory;
const cli = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
const playbook = path.join(PROJECT_ROOT, 'playbooks', 'bench.yaml');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetjail-bench-'));
const reportFile = path.join(scratch, 'report.json');
const MB = 1024 * 1024;
const COPY_TARGET = '/var/tmp/fleetjail-bench-copy';
/** Undoes playbooks/bench.yaml on a host. */
const RESET =
  'sysrc -x bench_var_01 bench_var_02 bench_var_03 bench_var_04 bench_var_05 bench_var_06 bench_var_07 bench_var_08 bench_var_09 bench_var_10 2>/dev/null; ' +
  'rm -f /etc/fleetjail-bench /var/tmp/fleetjail-bench-ran';

type Sample = Measurement & { roundTrips?: number[]; bytes?: number };

/** `fleetjail ARGS` against the bench lab, all hosts at once; a failure ends the bench. */
async function fleetjail(name: string, args: string[], trailing: string[] = []): Promise<Sample> {
  const m = await measure(process.execPath, [cli, ...args, '-i', inventory, '--forks', String(opts.hosts), ...trailing]);
  if (m.code !== 0) throw new Error(`bench: ${name} failed (exit ${m.code}):\n${m.stderr.slice(-2000)}${m.stdout.slice(-2000)}`);
  return m;
}

/**
 * PLAYBOOK (default the bench's), checked against its report: every host of the run (HOSTS,
 * default all) changed (first run) or none did (converged).
 */
async function playbookRun(
  name: string,
  expectChanged: boolean,
  book = playbook,
  hosts = opts.hosts,
  extra: string[] = [],
): Promise<Sample> {
  fs.rmSync(reportFile, { force: true });
  const m = await fleetjail(name, ['run', book, '--report', reportFile, ...extra]);
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    summary: { hosts: number; changed: number; ok: number };
    hosts: Record<string, { status: string; roundTrips?: number }>;
  };
  const want = expectChanged ? report.summary.changed : report.summary.ok;
  if (report.summary.hosts !== hosts || want !== hosts) {
    throw new Error(
      `bench: ${name}: expected ${hosts} hosts ${expectChanged ? 'changed' : 'ok'}, report says ${JSON.stringify(report.summary)}`,
    );
  }
  return { ...m, roundTrips: Object.values(report.hosts).map((h) => h.roundTrips ?? NaN) };
}

/** A local file of SIZE random bytes (written 1 MiB at a time) and a playbook that copies it with `src:`. */
function copyPlaybook(size: number): string {
  const name = `copy-${size / MB}m`;
  const fd = fs.openSync(path.join(scratch, `${name}.bin`), 'w');
  for (let left = size; left > 0; left -= MB) fs.writeSync(fd, crypto.randomBytes(Math.min(MB, left)));
  fs.closeSync(fd);
  const book = path.join(scratch, `${name}.yaml`);
  fs.writeFileSync(
    book,
    `name: bench copy of ${size / MB} MB\nhosts: all\nsteps:\n  - file: { path: ${COPY_TARGET}, src: ${name}.bin, mode: '0600' }\n`,
  );
  return book;
}

/** One copy of BOOK's file to the copy hosts, from scratch (the target removed first, unmeasured). */
async function copyRun(name: string, book: string, size: number, limit: string): Promise<Sample> {
  await fleetjail('reset', ['exec', limit], ['--', `rm -f ${COPY_TARGET}`]);
  const m = await playbookRun(name, true, book, copyHosts, ['--limit', limit]);
  return { ...m, bytes: size * copyHosts };
}

function median(samples: Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor(sorted.length / 2)] as Sample;
}

async function main(): Promise<void> {
  console.error(`bench: ${opts.hosts} hosts, ${opts.runs} runs per phase`);
  await labUp(layout, { hosts: opts.hosts, features: { zfs: 'none' }, log: (m) => console.error(m) });
  try {
    const phases = ['floor', 'ping', 'first run', 'converged', 'copy 100 MB', 'copy 10 MB'] as const;
    const copies = wanted.has('copy') ? { big: copyPlaybook(100 * MB), small: copyPlaybook(10 * MB) } : undefined;
    const copyLimit = Array.from({ length: copyHosts }, (_, i) => hostName(i + 1, opts.hosts)).join(',');
    const samples = new Map<string, Sample[]>(phases.map((p) => [p, []]));
    const add = (p: (typeof phases)[number], s: Sample) => samples.get(p)?.push(s);
    // One warm-up of each, unmeasured (page cache, sshd's first accept).
    await fleetjail('reset', ['exec', 'all'], ['--', RESET]);
    await fleetjail('warm-up', ['exec', 'all'], ['--', 'true']);
    for (let i = 0; i < opts.runs; i++) {
      add('floor', await fleetjail('floor', ['exec', 'all'], ['--', 'true']));
      if (wanted.has('ping')) add('ping', await fleetjail('ping', ['ping', 'all']));
      if (wanted.has('playbook')) {
        await fleetjail('reset', ['exec', 'all'], ['--', RESET]);
        add('first run', await playbookRun('first run', true));
        add('converged', await playbookRun('converged re-run', false));
      }
      if (copies) {
        add('copy 100 MB', await copyRun('copy 100 MB', copies.big, 100 * MB, copyLimit));
        add('copy 10 MB', await copyRun('copy 10 MB', copies.small, 10 * MB, copyLimit));
        await fleetjail('reset', ['exec', copyLimit], ['--', `rm -f ${COPY_TARGET}`]);
      }
      console.error(`bench: run ${i + 1}/${opts.runs} done`);
    }
    const floor = median(samples.get('floor') as Sample[]);
    console.log(`\n${opts.hosts} hosts, median of ${opts.runs} runs; playbook ${path.relative(PROJECT_ROOT, playbook)}`);
    console.log(
      `${'phase'.padEnd(12)} ${'wall'.padStart(9)} ${'x floor'.padStart(8)} ${'peak RSS'.padStart(10)} ${'round trips/host'.padStart(17)} ${'throughput'.padStart(11)}`,
    );
    for (const p of phases) {
      if ((samples.get(p) as Sample[]).length === 0) continue;
      const r = median(samples.get(p) as Sample[]);
      const trips = r.roundTrips ? `${Math.min(...r.roundTrips)}-${Math.max(...r.roundTrips)}` : '-';
      const rate = r.bytes ? `${(r.bytes / MB / (r.wallMs / 1000)).toFixed(0)} MiB/s` : '-';
      console.log(
        `${p.padEnd(12)} ${(r.wallMs / 1000).toFixed(2).padStart(8)}s ${(r.wallMs / floor.wallMs).toFixed(2).padStart(8)} ${r.peakRssMiB.toFixed(0).padStart(6)} MiB ${trips.padStart(17)} ${rate.padStart(11)}`,
      );
    }
    if (copies)
      console.log(
        `copies: to ${copyHosts} host${copyHosts === 1 ? '' : 's'} at once (${copyLimit}); throughput is the bytes landed on all of them per second`,
      );
    console.log('targets: converged <= 1.30x floor, first run <= 2.00x floor, copy 100 MB peak RSS < 200 MiB');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    if (!opts.keepLab) await labDown(layout, { log: (m) => console.error(m) });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
