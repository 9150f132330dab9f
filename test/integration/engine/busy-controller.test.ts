/**
 * "Unreachable" only when a host is (#10 item 8): 200 lab hosts of their own (a second lab,
 * side by side with the suite's), the controller's CPU deliberately loaded, a short connect
 * timeout. With handshake admission no host is reported unreachable, and the hosts that
 * needed a second attempt say so. Without it (--max-handshakes 1000: every handshake at once,
 * as before) healthy hosts were reported unreachable, as many as all 200 in one run; but how
 * many depends on the machine's load at that moment, so that figure is logged, not asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetjail } from '../../support/cli.js';
import { scratchDir, writeFile } from '../../support/playbook.js';
import { PROJECT_ROOT, paths, type LabLayout } from '../../lab/layout.js';
import { labDown, labUp } from '../../lab/fleet.js';
import type { JsonReportV1 } from '../../../src/report/json-report.js';

const HOSTS = Number(process.env.FLEETJAIL_BUSY_LAB_HOSTS ?? 200);
const layout: LabLayout = {
  dir: path.join(PROJECT_ROOT, '.lab-busy'),
  subnet: process.env.FLEETJAIL_BUSY_LAB_SUBNET ?? '127.71',
};
const dir = scratchDir();
let hogs: ChildProcess[] = [];

beforeAll(async () => {
  await labUp(layout, { hosts: HOSTS, log: () => {} });
}, 600_000);

afterAll(async () => {
  for (const h of hogs) h.kill('SIGKILL');
  await labDown(layout);
  fs.rmSync(dir, { recursive: true, force: true });
}, 300_000);

/** Busy loops on every core (and one more), each ending by itself after a while. */
function loadTheCpu(): void {
  hogs = Array.from({ length: 3 }, () =>
    spawn(process.execPath, ['-e', 'const end = Date.now() + 150000; while (Date.now() < end) {}'], { stdio: 'ignore' }),
  );
}

async function run(maxHandshakes: number): Promise<JsonReportV1> {
  const playbook = writeFile(dir, 'tiny.yaml', 'hosts: all\nsteps:\n  - command: { cmd: "true", creates: /etc/rc.conf }\n');
  const report = path.join(dir, `report-${maxHandshakes}.json`);
  await fleetjail([
    'run',
    playbook,
    '-i',
    paths(layout).inventory,
    '--forks',
    String(HOSTS),
    '--connect-timeout',
    '3',
    '--max-handshakes',
    String(maxHandshakes),
    '--report',
    report,
  ]);
  return JSON.parse(fs.readFileSync(report, 'utf8')) as JsonReportV1;
}

describe(`${HOSTS} hosts, a loaded controller, a 3 s connect timeout`, () => {
  it('with handshake admission: no host is unreachable; those that needed a second attempt say so', async () => {
    loadTheCpu();
    // For the record (it depends on how loaded the machine is, so it is logged, not asserted):
    // every handshake at once, as before admission. On this 2-core machine it has reported
    // from 0 to all 200 healthy hosts unreachable.
    const unbounded = await run(1000);
    const report = await run(16);
    console.error(
      `busy controller: unreachable without admission ${unbounded.summary.unreachable}/${HOSTS}, with admission ${report.summary.unreachable}/${HOSTS}, retried ${Object.values(report.hosts).filter((h) => h.connectRetry).length}`,
    );
    expect(report.summary.unreachable, JSON.stringify(Object.values(report.hosts).find((h) => h.status === 'unreachable')?.error)).toBe(0);
    expect(report.summary.ok).toBe(HOSTS);
    for (const h of Object.values(report.hosts)) if (h.connectRetry) expect(h.connectRetry).toMatch(/^first attempt failed: /);
  }, 600_000);
});
