/**
 * What a run guarantees when things go wrong (#10), each provoked on the lab: transfers cut
 * short (the controller killed, sshd killed) leave the old file and no temp file; a timeout
 * fails the step and the host, with the earlier steps reported and the command stopped on
 * the host; two runs at once lose nothing (the host lock); a killed controller leaves no
 * lock behind; SIGINT writes the report; a failed step carries the line that names its cause;
 * one host under two names is refused; scripts never show their content in `ps`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { holderIs, hostFile, sha256, sleep, startRun, until } from '../../support/run-control.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetjail } from '../../support/cli.js';
import { labHosts, labPaths, shRun, sshRun } from '../../support/lab.js';
import { onAllHosts, runPlaybook, scratchDir, writeFile } from '../../support/playbook.js';
import type { JsonReportV1 } from '../../../src/report/json-report.js';

const dir = scratchDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function leftovers(host: string, dirInHost: string, base: string): string[] {
  return fs.readdirSync(hostFile(host, dirInHost)).filter((f) => f.startsWith(`.${base}.fleetjail.`));
}

describe('verified writes: a transfer cut short leaves the old file whole', () => {
  const big = 'x'.repeat(1023) + '\n';
  const content = big.repeat(40 * 1024); // 40 MiB of text, sent on stdin
  let playbook: string;
  beforeAll(async () => {
    playbook = writeFile(dir, 'big.yaml', `hosts: ${labHosts()[0]!.name}\nsteps:\n  - file: { path: /var/tmp/big.txt, src: big.txt }\n`);
    writeFile(dir, 'big.txt', content);
  });

  for (const killed of ['the controller', 'sshd'] as const) {
    it(`${killed} killed mid-transfer: the old file stays, no temp file`, async () => {
      const h = labHosts()[0]!;
      for (const f of leftovers(h.name, 'var/tmp', 'big.txt')) fs.rmSync(hostFile(h.name, `var/tmp/${f}`));
      fs.writeFileSync(hostFile(h.name, 'var/tmp/big.txt'), 'the good old file\n');
      const run = startRun([playbook]);
      // Wait until part of the new content is on the host, in the temp file.
      await until('a partial temp file', () =>
        leftovers(h.name, 'var/tmp', 'big.txt').some((f) => {
          try {
            return fs.statSync(hostFile(h.name, `var/tmp/${f}`)).size > 1024 * 1024;
          } catch {
            return false;
          }
        }),
      );
      // Frozen mid-transfer, then killed: the controller itself, or the sshd serving the
      // transfer (the writer's ancestor named "sshd: ..."), outright.
      run.child.kill('SIGSTOP');
      if (killed === 'the controller') {
        run.child.kill('SIGKILL');
      } else {
        const kill = await shRun(
          h,
          `p=$(pgrep -f 'big.txt.fleetjail' | head -1)
while [ -n "$p" ] && [ "$p" != 1 ]; do
  case "$(ps -o args= -p "$p")" in "sshd: "*) kill -9 "$p"; exit 0 ;; esac
  p=$(ps -o ppid= -p "$p" | tr -d ' ')
done
exit 1`,
        );
        expect(kill.code, kill.stderr).toBe(0);
        run.child.kill('SIGCONT');
      }
      const r = await run.done;
      if (killed === 'sshd') {
        expect(r.code).toBe(4); // the connection was lost: unreachable, the step failed with the cause
        expect(r.stdout).toMatch(/FAILED: .*connection lost.*whether they were made is unknown/);
      }
      await until('the host to clean up', () => leftovers(h.name, 'var/tmp', 'big.txt').length === 0, 10_000);
      expect(fs.readFileSync(hostFile(h.name, 'var/tmp/big.txt'), 'utf8')).toBe('the good old file\n');
    });
  }

  it('the whole file lands when nothing interrupts it, verified', async () => {
    const h = labHosts()[0]!;
    const { report } = await runPlaybook(playbook);
    expect(report.hosts[h.name]?.status).toBe('changed');
    expect(sha256(fs.readFileSync(hostFile(h.name, 'var/tmp/big.txt')))).toBe(sha256(content));
    expect(leftovers(h.name, 'var/tmp', 'big.txt')).toEqual([]);
    fs.rmSync(hostFile(h.name, 'var/tmp/big.txt'));
  });
});

describe('completion markers', () => {
  it('a thick jail whose copy was cut short is copied again on the next run, not taken for a root', async () => {
    const h = labHosts()[0]!;
    const tpl = hostFile(h.name, 'var/tmp/fj-tpl');
    fs.mkdirSync(path.join(tpl, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(tpl, 'bin/freebsd-version'), '#!/bin/sh\nUSERLAND_VERSION="14.2-RELEASE"\necho "$USERLAND_VERSION"\n', {
      mode: 0o755,
    });
    fs.writeFileSync(path.join(tpl, 'zz-big'), Buffer.alloc(400 * 1024 * 1024, 7)); // after bin/ in the copy
    const jail = (state: string, extra = '') =>
      writeFile(
        dir,
        `thick-${state}.yaml`,
        `hosts: ${h.name}\nsteps:\n  - jail: { name: fjcut, type: thick, state: ${state}, template: /var/tmp/fj-tpl, path: /var/tmp/fj-cut-root, boot: false${extra} }\n`,
      );
    try {
      const run = startRun([jail('stopped')]);
      await until('the copy to be under way', () => {
        try {
          return fs.statSync(hostFile(h.name, 'var/tmp/fj-cut-root/zz-big')).size > 16 * 1024 * 1024;
        } catch {
          return false;
        }
      });
      run.child.kill('SIGKILL');
      await run.done;
      await sleep(300);
      expect(fs.existsSync(hostFile(h.name, 'var/tmp/fj-cut-root/.fleetjail-copying'))).toBe(true);
      const again = await runPlaybook(jail('stopped'));
      expect(again.code).toBe(0);
      expect(again.report.hosts[h.name]?.steps[0]?.changes.join('\n')).toMatch(/create root: a copy of \/var\/tmp\/fj-tpl/);
      expect(fs.statSync(hostFile(h.name, 'var/tmp/fj-cut-root/zz-big')).size).toBe(400 * 1024 * 1024);
      expect(fs.existsSync(hostFile(h.name, 'var/tmp/fj-cut-root/.fleetjail-copying'))).toBe(false);
      expect((await runPlaybook(jail('stopped'))).report.hosts[h.name]?.changed).toBe(0);
    } finally {
      await runPlaybook(jail('absent', ', destroy_root: true'));
      fs.rmSync(tpl, { recursive: true, force: true });
      fs.rmSync(hostFile(h.name, 'var/tmp/fj-cut-root'), { recursive: true, force: true });
    }
  });
});

describe('timeouts are failures', () => {
  it('a step past its timeout: the step and host fail (exit 2), earlier steps are reported, the command is stopped on the host', async () => {
    const file = writeFile(
      dir,
      'timeout.yaml',
      [
        'hosts: all',
        'steps:',
        '  - name: before',
        '    command: "echo before > /var/tmp/fj-before"',
        '  - name: slow',
        '    command: "sleep 31; echo never > /var/tmp/fj-never"',
        '    timeout: 1',
        '  - name: after',
        '    command: "echo after > /var/tmp/fj-after"',
        '',
      ].join('\n'),
    );
    await onAllHosts('rm -f /var/tmp/fj-before /var/tmp/fj-never /var/tmp/fj-after');
    const r = await runPlaybook(file);
    expect(r.code).toBe(2);
    for (const h of labHosts()) {
      const host = r.report.hosts[h.name]!;
      expect(host.status).toBe('failed');
      expect(host.steps.map((s) => [s.name, s.status])).toEqual([
        ['before', 'changed'],
        ['slow', 'failed'],
      ]);
      expect(host.steps[1]?.error).toMatch(/timed out after 1 s; the command was stopped on the host/);
    }
    expect(r.stdout).toMatch(/slow: FAILED: .*timed out/);
    await sleep(500);
    for (const res of await onAllHosts(
      'ps -ax -o args= | grep -c "^sleep 31" || true; ls /var/tmp/fj-after /var/tmp/fj-never 2>/dev/null | wc -l',
    )) {
      expect(
        res.stdout
          .split('\n')
          .map((l) => l.trim())
          .slice(0, 2),
      ).toEqual(['0', '0']);
    }
  });

  it('-T on a probe in the facts round trip: the host fails with the cause, exit 2', async () => {
    const file = writeFile(dir, 'probe-timeout.yaml', 'hosts: all\nsteps:\n  - command: { cmd: "true", unless: "sleep 33" }\n');
    const r = await runPlaybook(file, ['-T', '1']);
    expect(r.code).toBe(2);
    for (const h of labHosts())
      expect(r.report.hosts[h.name]).toMatchObject({ status: 'failed', error: expect.stringMatching(/gathering facts: .*timed out/) });
  });
});

describe('one run per host at a time', () => {
  const vars = (prefix: string) =>
    Array.from({ length: 10 }, (_, i) => `  - sysrc: { name: ${prefix}_${i}, value: "${prefix} ${i}" }`).join('\n');
  afterAll(async () => {
    await onAllHosts("sed -i '' -e '/^lock[ab]_[0-9]=/d' /etc/rc.conf");
  });

  it('two runs at once on every host lose nothing: both sets of rc.conf variables are there', async () => {
    const a = writeFile(dir, 'lock-a.yaml', `hosts: all\nsteps:\n${vars('locka')}\n`);
    const b = writeFile(dir, 'lock-b.yaml', `hosts: all\nsteps:\n${vars('lockb')}\n`);
    const [ra, rb] = await Promise.all([runPlaybook(a), runPlaybook(b)]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    for (const h of labHosts()) {
      const text = fs.readFileSync(hostFile(h.name, 'etc/rc.conf'), 'utf8');
      for (let i = 0; i < 10; i++) {
        expect(text).toContain(`locka_${i}="locka ${i}"`);
        expect(text).toContain(`lockb_${i}="lockb ${i}"`);
      }
    }
  });

  it('a run that cannot get the lock in time fails that host, naming the holder', async () => {
    const h = labHosts()[0]!;
    // Outlasts the waiter's connection and its 1 s wait on a loaded machine.
    const slow = writeFile(dir, 'holder.yaml', `hosts: ${h.name}\nsteps:\n  - command: "sleep 20"\n`);
    const quick = writeFile(dir, 'waiter.yaml', `hosts: ${h.name}\nsteps:\n  - command: "true"\n`);
    const holder = startRun([slow]);
    await until('the first run to hold the lock', () => holderIs(h.name, 'holder.yaml'));
    const r = await runPlaybook(quick, ['--lock-wait', '1']);
    expect(r.code).toBe(2);
    expect(r.report.hosts[h.name]?.error).toMatch(
      /another fleetjail run holds this host's lock \(fleetjail pid \d+ on .* playbook holder\.yaml since \d{4}-\d\d-\d\dT/,
    );
    expect((await holder.done).code).toBe(0);
  });

  it('a killed controller leaves no lock behind', async () => {
    const h = labHosts()[0]!;
    const slow = writeFile(dir, 'killed.yaml', `hosts: ${h.name}\nsteps:\n  - command: "sleep 30"\n`);
    const run = startRun([slow]);
    await until('the run to hold the lock', () => holderIs(h.name, 'killed.yaml'));
    await until('the step to start', async () => (await sshRun(h, 'pgrep -f "^sleep 30"')).code === 0);
    run.child.kill('SIGKILL');
    await run.done;
    const quick = writeFile(dir, 'after-kill.yaml', `hosts: ${h.name}\nsteps:\n  - command: "true"\n`);
    const r = await runPlaybook(quick, ['--lock-wait', '5']);
    expect(r.code).toBe(0);
    // The killed run's command did not outlive its controller either.
    expect((await sshRun(h, 'pgrep -f "^sleep 30" || true')).stdout.trim()).toBe('');
  });

  it('one host listed under two names is refused before any connection (exit 1)', async () => {
    const h = labHosts()[0]!;
    const inv = writeFile(
      dir,
      'twice.yaml',
      [
        `defaults: { user: root, identity_file: ${labPaths.clientKey}, known_hosts: ${labPaths.knownHosts} }`,
        'hosts:',
        `  ${h.name}: { address: ${h.address} }`,
        `  again: { address: ${h.address} }`,
        '',
      ].join('\n'),
    );
    const file = writeFile(dir, 'twice-play.yaml', 'hosts: all\nsteps:\n  - command: "true"\n');
    const r = await fleetjail(['run', file, '-i', inv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`the inventory names one host more than once:\\n  ${h.name}, again are all root@${h.address.replaceAll('.', '\\.')}:22`),
    );
  });
});

describe('interrupts', () => {
  it('SIGINT: running steps finish, no new step starts, the report and recap are written, exit has bit 8', async () => {
    // Long enough for every host to be in it at once on a loaded machine (two labs on two
    // cores); the signal goes as soon as each host has been seen in it.
    const file = writeFile(
      dir,
      'interrupt.yaml',
      'hosts: all\nsteps:\n  - name: slow\n    command: "sleep 20"\n  - name: next\n    command: "true"\n',
    );
    const report = path.join(dir, 'interrupt.json');
    const run = startRun([file, '--report', report]);
    const seen = new Set<string>();
    await until(
      'the slow step to start on every host',
      async () => {
        const now = await onAllHosts('pgrep -f "^sleep 20$" >/dev/null && echo y');
        now.forEach((r, i) => r.stdout.trim() === 'y' && seen.add(labHosts()[i]!.name));
        return seen.size === labHosts().length;
      },
      60_000,
    );
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code! & 8).toBe(8);
    expect(r.stdout).toContain('RECAP');
    const json = JSON.parse(fs.readFileSync(report, 'utf8')) as JsonReportV1;
    for (const h of labHosts()) {
      expect(json.hosts[h.name]).toMatchObject({
        status: 'interrupted',
        error: expect.stringMatching(/interrupted \(SIGINT\): stopped before step 'next'/),
      });
      expect(json.hosts[h.name]?.steps.map((s) => [s.name, s.status])).toEqual([['slow', 'changed']]);
    }
    expect(json.summary.interrupted).toBe(labHosts().length);
  });

  it('a second SIGINT stops running commands now, on the hosts too', async () => {
    const file = writeFile(dir, 'interrupt2.yaml', 'hosts: all\nsteps:\n  - name: long\n    command: "sleep 34"\n');
    const report = path.join(dir, 'interrupt2.json');
    const run = startRun([file, '--report', report]);
    await until('the long step to start on every host', async () =>
      (await onAllHosts('pgrep -f "^sleep 34" >/dev/null && echo y')).every((r) => r.stdout.trim() === 'y'),
    );
    run.child.kill('SIGINT');
    await sleep(200);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code! & 8).toBe(8);
    const json = JSON.parse(fs.readFileSync(report, 'utf8')) as JsonReportV1;
    for (const h of labHosts()) {
      expect(json.hosts[h.name]?.status).toBe('interrupted');
      expect(json.hosts[h.name]?.steps[0]).toMatchObject({
        name: 'long',
        status: 'failed',
        error: expect.stringMatching(/stopped while running/),
      });
    }
    await sleep(500);
    for (const res of await onAllHosts('pgrep -f "^sleep 34" || true')) expect(res.stdout.trim()).toBe('');
  });
});

describe('failures say why', () => {
  it('a failed command step shows the line that names the cause, and its output tails', async () => {
    const file = writeFile(
      dir,
      'cause.yaml',
      [
        'hosts: all',
        'steps:',
        '  - name: update',
        `    command: "echo 'Looking up update.FreeBSD.org mirrors... 3 mirrors found.'; echo 'Fetching metadata signature for 14.2-RELEASE from update1.freebsd.org... failed.'; echo 'No mirrors remaining, giving up.'; echo 'This may be because upgrading from this platform is not supported' >&2; exit 1"`,
        '',
      ].join('\n'),
    );
    const r = await runPlaybook(file);
    expect(r.code).toBe(2);
    for (const h of labHosts()) {
      const step = r.report.hosts[h.name]?.steps[0];
      expect(step?.error).toBe('exit status 1: No mirrors remaining, giving up.');
      expect(step?.output?.stdout).toContain('Fetching metadata signature');
      expect(step?.output?.stderr).toContain('upgrading from this platform');
    }
    expect(r.stdout).toMatch(/update: FAILED: exit status 1: No mirrors remaining, giving up\./);
    expect(r.stdout).toMatch(/! +> Fetching metadata signature/);
  });
});

describe('nothing of a script in the command line', () => {
  it('an unprivileged user watching ps sees neither file contents nor rc.conf text', async () => {
    const secret = 'fj-secret-6c0ffee';
    const file = writeFile(
      dir,
      'ps.yaml',
      [
        'hosts: all',
        'steps:',
        `  - file: { path: /var/tmp/fj-secret.conf, content: "password=${secret}\\n", mode: "0600" }`,
        `  - sysrc: { name: fj_ps_check, value: "${secret}-rc" }`,
        '  - command: "sleep 2"',
        '',
      ].join('\n'),
    );
    // ops watches every process's arguments for the whole run: from before it starts until
    // its last step (sleep 2) has been seen a few times (at most 30 s, on a loaded machine).
    const watch = labHosts().map((h) =>
      shRun(
        h,
        'i=0; n=0; while [ $i -lt 600 ] && [ $n -lt 5 ]; do o=$(ps -ax -o args=); printf "%s\\n" "$o"; case "$o" in *"sleep 2"*) n=$((n+1)) ;; esac; i=$((i+1)); sleep 0.05; done',
        { user: 'ops' },
      ),
    );
    await sleep(300);
    const r = await runPlaybook(file);
    expect(r.code).toBe(0);
    const seen = (await Promise.all(watch)).map((w) => w.stdout).join('\n');
    expect(seen).toContain('sleep 2'); // the watch did see the run
    expect(seen).not.toContain(secret);
    await onAllHosts("rm -f /var/tmp/fj-secret.conf; sed -i '' -e '/^fj_ps_check=/d' /etc/rc.conf");
  });
});
