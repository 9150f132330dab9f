/**
 * `npm run bench [-- --hosts N --runs R]`: fleetjail's cost on a lab fleet, as ratios to
 * the connection floor measured in the same run (this machine is shared and noisy).
 *
 *   floor        `fleetjail exec all -- true`: connect to every host, one command each
 *   ping         `fleetjail ping all`: the same through the ping command
 *
 * Each figure is the median of R runs of the CLI as a child process: wall time and the
 * child's peak RSS. The bench uses its own lab (.lab-bench, 127.50.x.x) and tears it down.
 */
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

/** Runs `fleetjail COMMAND PATTERN [options] [-- ARGS]` against the bench lab. */
async function phase(name: string, command: string[], trailing: string[] = []): Promise<Measurement & { name: string }> {
  const runs: Measurement[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const m = await measure(process.execPath, [cli, ...command, '-i', inventory, '--forks', String(opts.hosts), ...trailing]);
    if (m.code !== 0) throw new Error(`bench: ${name} failed (exit ${m.code}):\n${m.stderr.slice(-2000)}`);
    runs.push(m);
  }
  runs.sort((a, b) => a.wallMs - b.wallMs);
  return { name, ...(runs[Math.floor(runs.length / 2)] as Measurement) };
}

async function main(): Promise<void> {
  console.error(`bench: ${opts.hosts} hosts, ${opts.runs} runs per phase`);
  await labUp(layout, { hosts: opts.hosts, features: { zfs: 'none' }, log: (m) => console.error(m) });
  try {
    const floor = await phase('floor', ['exec', 'all'], ['--', 'true']);
    const results = [floor, await phase('ping', ['ping', 'all'])];
    console.log(`\n${'phase'.padEnd(12)} ${'wall'.padStart(9)} ${'x floor'.padStart(8)} ${'peak RSS'.padStart(10)}`);
    for (const r of results) {
      console.log(`${r.name.padEnd(12)} ${(r.wallMs / 1000).toFixed(2).padStart(8)}s ${(r.wallMs / floor.wallMs).toFixed(2).padStart(8)} ${r.peakRssMiB.toFixed(0).padStart(7)} MiB`);
    }
  } finally {
    if (!opts.keepLab) await labDown(layout, { log: (m) => console.error(m) });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
