/**
 * serial batches and max_fail_percentage on the lab: a batch finishes before the next
 * starts; when more than max_fail_percentage of a batch failed, the run stops, later
 * batches are never started (their hosts are untouched), and the output and the report
 * say so. The first lab host fails (its name is passed in -e), the others succeed.
 * Which hosts a run reached is read from a marker file holding the run's id.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHosts } from '../../support/lab.js';
import { onHost, runPlaybook, scratchDir, writeFile } from './engine-lab.js';

const hosts = labHosts();
const names = hosts.map((h) => h.name);
const MARKER = '/var/tmp/fleetjail-engine-serial';
const dir = scratchDir();

function playbook(serial: string, maxFail?: number): string {
  return writeFile(
    dir,
    `serial-${serial.replace('%', 'pct')}-${maxFail ?? 'none'}.yaml`,
    `
hosts: all
serial: ${serial}
${maxFail === undefined ? '' : `max_fail_percentage: ${maxFail}`}
steps:
  - name: marker
    command: { cmd: "echo {{ run_id }} > ${MARKER}" }
  - name: fails on one host
    command: { cmd: "test {{ inventory_hostname }} != {{ bad_host }}" }
`,
  );
}

let runs = 0;
/** Runs PLAYBOOK with a fresh run id; returns the result and the hosts the run reached. */
async function run(file: string) {
  const id = `run${++runs}-${process.pid}`;
  const r = await runPlaybook(file, ['-e', `run_id=${id}`, '-e', `bad_host=${names[0]}`]);
  const reached = (
    await Promise.all(hosts.map(async (h) => ((await onHost(h, `cat ${MARKER} 2>/dev/null || true`)).trim() === id ? h.name : null)))
  ).filter((n): n is string => n !== null);
  return { ...r, reached };
}

const batchSize = (percent: number) => Math.max(1, Math.floor((hosts.length * percent) / 100));

describe('serial and max_fail_percentage on every lab host', () => {
  beforeAll(() => {
    if (hosts.length < 3) throw new Error('these tests need a lab of at least 3 hosts');
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => onHost(h, `rm -f ${MARKER}`)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serial: 2, max_fail_percentage: 40: one failure of two stops the run after the first batch', async () => {
    const r = await run(playbook('2', 40));
    expect(r.code).toBe(2);
    expect(r.reached).toEqual(names.slice(0, 2));
    const batches = Math.ceil(hosts.length / 2);
    const reason = `run stopped after batch 1 of ${batches}: 1 of 2 hosts in the batch failed (50% > max_fail_percentage 40%)`;
    expect(r.report.summary).toMatchObject({ hosts: hosts.length, failed: 1, changed: 1, notRun: names.slice(2), aborted: reason });
    expect(Object.keys(r.report.hosts).sort()).toEqual(names.slice(0, 2));
    expect(r.stdout).toContain(`BATCH 1/${batches}: ${names[0]} ${names[1]}\n`);
    expect(r.stdout).not.toContain('BATCH 2/');
    expect(r.stdout).toContain(`STOPPED: ${reason}; not run: ${names.slice(2).join(' ')}\n`);
    // The recap lists the hosts that were not run, and ends with the reason.
    for (const n of names.slice(2)) expect(r.stdout).toMatch(new RegExp(`^${n} +not run +- +- +- +- +- +-$`, 'm'));
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(reason);
  });

  it('serial as a percentage with max_fail_percentage 0: the first failure stops the run', async () => {
    const size = batchSize(25);
    const r = await run(playbook("'25%'", 0));
    expect(r.code).toBe(2);
    expect(r.reached).toEqual(names.slice(0, size));
    expect(r.report.summary.notRun).toEqual(names.slice(size));
    expect(r.report.summary.aborted).toMatch(
      /^run stopped after batch 1 of \d+: 1 of \d+ hosts in the batch failed \(\d+(\.\d)?% > max_fail_percentage 0%\)$/,
    );
    expect(r.stdout).toContain('STOPPED: run stopped after batch 1');
  });

  it('a failure within max_fail_percentage: every batch runs, the run ends with exit 2', async () => {
    const size = batchSize(50);
    const r = await run(playbook("'50%'", 50));
    expect(r.reached).toEqual(names);
    expect(r.code).toBe(2);
    expect(r.report.summary).toMatchObject({ hosts: hosts.length, failed: 1, changed: hosts.length - 1, notRun: [], aborted: null });
    const batches = Math.ceil(hosts.length / size);
    for (let b = 1; b <= batches; b++) expect(r.stdout).toContain(`BATCH ${b}/${batches}: `);
    expect(r.stdout).not.toContain('STOPPED');
  });

  it('each batch finishes before the next starts', async () => {
    const r = await run(playbook('1', 100));
    expect(r.reached).toEqual(names);
    const lines = r.stdout.split('\n');
    for (let i = 1; i < names.length; i++) {
      // The previous host's end line comes before the next batch's first line.
      const ended = lines.findIndex((l) => l.startsWith(`${names[i - 1]} = `) || l.startsWith(`${names[i - 1]} ! FAILED`));
      const started = lines.indexOf(`BATCH ${i + 1}/${names.length}: ${names[i]}`);
      expect(ended).toBeGreaterThanOrEqual(0);
      expect(started).toBeGreaterThan(ended);
    }
  });
});
