/**
 * `npm test`'s lab half: the integration files split across two labs that run side by side,
 * each in its own directory and loopback /16, each running its files one at a time (files
 * of one lab share its fleet). Most lab time is waiting on sshd, zfs-fuse and sleeps, so two
 * labs on two cores take a little over half the time of one.
 *
 * vitest runs the files of every project through one queue when files may not run in
 * parallel, so the split is two vitest processes. The heavy files (measured: about half the
 * lab time between them) go to the second lab; every other file, new ones included, to the
 * first. Each process's lines are prefixed with its lab's name; the exit status is the worst.
 *
 * Usage: tsx test/support/lab-suites.ts [vitest args...]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../lab/layout.js';

/** Files that go to the second lab (paths below test/integration/). */
const SECOND_LAB = [
  'playbooks/seeds.test.ts',
  'security/hostile-corpus.test.ts',
  'modules/jail.test.ts',
  'modules/zfs.test.ts',
  'userland/zfs.test.ts',
];

interface Lab {
  name: string;
  dir: string;
  subnet: string;
  files: string[];
}

function integrationFiles(dir = path.join(PROJECT_ROOT, 'test', 'integration')): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return integrationFiles(full);
      return e.name.endsWith('.test.ts') ? [path.relative(path.join(PROJECT_ROOT, 'test', 'integration'), full)] : [];
    })
    .sort();
}

function labs(): Lab[] {
  const all = integrationFiles();
  for (const f of SECOND_LAB) if (!all.includes(f)) throw new Error(`lab-suites: ${f} is not an integration test file (renamed?)`);
  const toPath = (f: string) => path.join('test', 'integration', f);
  return [
    {
      name: 'lab-a',
      dir: process.env.FLEETJAIL_LAB_DIR ?? path.join(PROJECT_ROOT, '.lab'),
      subnet: process.env.FLEETJAIL_LAB_SUBNET ?? '127.0',
      files: all.filter((f) => !SECOND_LAB.includes(f)).map(toPath),
    },
    {
      name: 'lab-b',
      dir: process.env.FLEETJAIL_LAB_B_DIR ?? path.join(PROJECT_ROOT, '.lab-b'),
      subnet: process.env.FLEETJAIL_LAB_B_SUBNET ?? '127.20',
      files: SECOND_LAB.map(toPath),
    },
  ];
}

function runLab(lab: Lab, extra: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', '--project', 'lab', ...extra, ...lab.files], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FLEETJAIL_LAB_DIR: lab.dir, FLEETJAIL_LAB_SUBNET: lab.subnet },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = (out: NodeJS.WriteStream) => {
      let pending = '';
      return {
        push(chunk: Buffer) {
          const lines = (pending + chunk.toString('utf8')).split('\n');
          pending = lines.pop()!;
          for (const l of lines) {
            const counts = /^(\d+) passed, (\d+) failed, (\d+) skipped$/.exec(l);
            if (counts)
              counts.slice(1).forEach((n, i) => {
                total[i] = (total[i] ?? 0) + Number(n);
              });
            out.write(`[${lab.name}] ${l}\n`);
          }
        },
        end() {
          if (pending) out.write(`[${lab.name}] ${pending}\n`);
        },
      };
    };
    const o = prefix(process.stdout);
    const e = prefix(process.stderr);
    child.stdout.on('data', (c: Buffer) => o.push(c));
    child.stderr.on('data', (c: Buffer) => e.push(c));
    child.on('close', (code, signal) => {
      o.end();
      e.end();
      process.stdout.write(`[${lab.name}] vitest ended: ${signal ?? `exit ${code}`}\n`);
      resolve(code ?? 1);
    });
  });
}

/** passed, failed, skipped: the sum of both labs' summary lines (test/support/summary-reporter.ts). */
const total = [0, 0, 0];
const codes = await Promise.all(labs().map((lab) => runLab(lab, process.argv.slice(2))));
process.stdout.write(`\nlab tests: ${total[0]} passed, ${total[1]} failed, ${total[2]} skipped\n`);
process.exit(Math.max(...codes));
