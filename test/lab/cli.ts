/**
 * `npm run lab -- up --hosts N | status | down`: the lab fleet for tests, benchmarks and the demo.
 * Environment: FLEETJAIL_LAB_DIR (default .lab) and FLEETJAIL_LAB_SUBNET (default 127.0).
 */
import { Command } from 'commander';
import { defaultLayout } from './layout.js';
import { labDown, labStatus, labUp } from './fleet.js';

const program = new Command('lab').description('the fleetjail lab fleet');
const layout = defaultLayout();
const log = (m: string) => console.error(m);

program
  .command('up')
  .option('--hosts <n>', 'number of hosts', (v) => Number.parseInt(v, 10), 10)
  .option('--zfs <mode>', 'real (a zfs-fuse daemon per host) | emulated (for large fleets) | none', 'real')
  .action(async (o: { hosts: number; zfs: string }) => {
    await labUp(layout, { hosts: o.hosts, features: { zfs: o.zfs }, log });
  });

program.command('status').action(async () => {
  const hosts = await labStatus(layout);
  for (const h of hosts) console.log(`${h.name}\t${h.address}\t${h.running ? 'running' : 'stopped'}\t${h.sshd ? 'sshd ok' : 'sshd down'}`);
  const up = hosts.filter((h) => h.running && h.sshd).length;
  console.log(`${up}/${hosts.length} hosts up`);
  if (up !== hosts.length) process.exitCode = 1;
});

program
  .command('down')
  .option('--keep-files', 'keep the host roots under the lab directory')
  .action(async (o: { keepFiles?: boolean }) => {
    await labDown(layout, { keepFiles: o.keepFiles === true, log });
  });

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
