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
 *
 * The phases are interleaved (floor, ping, reset, first run, converged; R times), so a
 * burst of load on the machine hits every phase alike. Each figure is the median of R runs
 * of the CLI as a child process: wall time and the child's peak RSS. The playbook runs are
 * checked from their JSON reports (every host changed, then every host unchanged), and the
 * engine's round trips per host are shown. The bench uses its own lab (.lab-bench,
 * 127.50.x.x) and tears it down.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { PROJECT_ROOT, paths, type LabLayout } from '../lab/layout.js';
import { labDown, labUp } from '../lab/fleet.js';
import { measure, type Measurement } from './measure.js';

const program = new Command('bench')
  .option('--hosts <n>', 'lab size', (v) => Number.parseInt(v, 10), 50)
  .option('--runs <n>', 'runs per phase (the median is reported)', (v) => Number.parseInt(v, 10), 3)
  .option('--keep-lab', 'leave the bench lab up afterwards')
  .parse();
const opts = program.opts<{ hosts: number; runs: number; keepLab?: boolean }>();

const layout: LabLayout = { dir: path.join(PROJECT_ROOT, '.lab-bench'), subnet: '127.50' };
const inventory = paths(layout).inventory;
const cli = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
const playbook = path.join(PROJECT_ROOT, 'playbooks', 'bench.yaml');
const reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fleetjail-bench-')), 'report.json');
/** Undoes playbooks/bench.yaml on a host. */
const RESET = 'sysrc -x bench_var_01 bench_var_02 bench_var_03 bench_var_04 bench_var_05 bench_var_06 bench_var_07 bench_var_08 bench_var_09 bench_var_10 2>/dev/null; ' +
  'rm -f /etc/fleetjail-bench /var/tmp/fleetjail-bench-ran';

type Sample = Measurement & { roundTrips?: number[] };

/** `fleetjail ARGS` against the bench lab, all hosts at once; a failure ends the bench. */
async function fleetjail(name: string, args: string[], trailing: string[] = []): Promise<Sample> {
  const m = await measure(process.execPath, [cli, ...args, '-i', inventory, '--forks', String(opts.hosts), ...trailing]);
  if (m.code !== 0) throw new Error(`bench: ${name} failed (exit ${m.code}):\n${m.stderr.slice(-2000)}${m.stdout.slice(-2000)}`);
  return m;
}

/** The playbook, checked against its report: every host changed (first run) or none did (converged). */
async function playbookRun(name: string, expectChanged: boolean): Promise<Sample> {
  fs.rmSync(reportFile, { force: true });
  const m = await fleetjail(name, ['run', playbook, '--report', reportFile]);
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    summary: { hosts: number; changed: number; ok: number };
    hosts: Record<string, { status: string; roundTrips?: number }>;
  };
  const want = expectChanged ? report.summary.changed : report.summary.ok;
  if (report.summary.hosts !== opts.hosts || want !== opts.hosts) {
    throw new Error(`bench: ${name}: expected ${opts.hosts} hosts ${expectChanged ? 'changed' : 'ok'}, report says ${JSON.stringify(report.summary)}`);
  }
  return { ...m, roundTrips: Object.values(report.hosts).map((h) => h.roundTrips ?? NaN) };
}

function median(samples: Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor(sorted.length / 2)] as Sample;
}

async function main(): Promise<void> {
  console.error(`bench: ${opts.hosts} hosts, ${opts.runs} runs per phase`);
  await labUp(layout, { hosts: opts.hosts, features: { zfs: 'none' }, log: (m) => console.error(m) });
  try {
    const phases = ['floor', 'ping', 'first run', 'converged'] as const;
    const samples = new Map<string, Sample[]>(phases.map((p) => [p, []]));
    const add = (p: (typeof phases)[number], s: Sample) => samples.get(p)?.push(s);
    // One warm-up of each, unmeasured (page cache, sshd's first accept).
    await fleetjail('reset', ['exec', 'all'], ['--', RESET]);
    await fleetjail('warm-up', ['exec', 'all'], ['--', 'true']);
    for (let i = 0; i < opts.runs; i++) {
      add('floor', await fleetjail('floor', ['exec', 'all'], ['--', 'true']));
      add('ping', await fleetjail('ping', ['ping', 'all']));
      await fleetjail('reset', ['exec', 'all'], ['--', RESET]);
      add('first run', await playbookRun('first run', true));
      add('converged', await playbookRun('converged re-run', false));
      console.error(`bench: run ${i + 1}/${opts.runs} done`);
    }
    const floor = median(samples.get('floor') as Sample[]);
    console.log(`\n${opts.hosts} hosts, median of ${opts.runs} runs; playbook ${path.relative(PROJECT_ROOT, playbook)}`);
    console.log(`${'phase'.padEnd(12)} ${'wall'.padStart(9)} ${'x floor'.padStart(8)} ${'peak RSS'.padStart(10)} ${'round trips/host'.padStart(17)}`);
    for (const p of phases) {
      const r = median(samples.get(p) as Sample[]);
      const trips = r.roundTrips ? `${Math.min(...r.roundTrips)}-${Math.max(...r.roundTrips)}` : '-';
      console.log(`${p.padEnd(12)} ${(r.wallMs / 1000).toFixed(2).padStart(8)}s ${(r.wallMs / floor.wallMs).toFixed(2).padStart(8)} ${r.peakRssMiB.toFixed(0).padStart(6)} MiB ${trips.padStart(17)}`);
    }
    console.log('targets: converged <= 1.30x floor, first run <= 2.00x floor');
  } finally {
    fs.rmSync(path.dirname(reportFile), { recursive: true, force: true });
    if (!opts.keepLab) await labDown(layout, { log: (m) => console.error(m) });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
