/**
 * The sysrc module on every lab host: rc.conf is edited on the controller and written back in
 * one atomic write for consecutive steps, so what matters is that FreeBSD's own readers agree
 * with it: the lab's sysrc(8) and rc(8)'s way of reading the file (sourcing it with sh) see
 * exactly the values asked for, hand-written lines and comments stay, the file keeps its mode
 * and owner, and a second run changes nothing.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetjail } from '../../support/cli.js';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run, scratchDir, writeFile } from '../../support/playbook.js';
import { labHosts, labPaths, shRun } from '../../support/lab.js';

const dir = scratchDir();
const SITE = `# site: hand-written, fleetjail must keep this
fj_t_keep="kept"   # a comment
fj_t_over="old" # trailing comment kept
fj_t_list="a b"
fj_t_gone=1; fj_t_keep2=2
`;
const TRICKY = `it's "q" $HOME \`id\` back\\slash`;
const MULTI = 'line1\nline2';
const playbook = writeFile(
  dir,
  'sysrc.yaml',
  `
name: sysrc on rc.conf
hosts: all
steps:
  - sysrc: { name: fj_t_over, value: new }
  # service(8)'s enable goes through sysrc(8) on the host: the steps after it read rc.conf again
  - service: { name: pflog, enabled: true }
  - sysrc: { name: fj_t_tricky, value: ${JSON.stringify(TRICKY)} }
  - sysrc: { name: fj_t_multi, value: ${JSON.stringify(MULTI)} }
  - sysrc: { name: fj_t_list, item: c }
  - sysrc: { name: fj_t_gone, state: absent }
`,
);
const VARS = 'fj_t_keep fj_t_over fj_t_tricky fj_t_multi fj_t_list fj_t_gone fj_t_keep2';
/** rc(8)'s view: the file sourced by sh, each variable then printed between brackets. */
const SOURCED = `( . /etc/rc.conf; for v in ${VARS}; do eval "printf '[%s]' \\"\\\${$v-unset}\\""; done )`;

beforeAll(async () => {
  for (const r of await onAll(`set -e
cp -p /etc/rc.conf /var/tmp/fj-sysrc-rc.conf.saved
printf '%s' '${SITE}' >> /etc/rc.conf`))
    expect(r.stderr).toBe('');
});

afterAll(async () => {
  await onAll('mv /var/tmp/fj-sysrc-rc.conf.saved /etc/rc.conf');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sysrc on the lab fleet', () => {
  it('first run: the sysrc steps around a service enable are two writes of rc.conf per host, read back alike by sh and by sysrc(8)', async () => {
    const { cli, report } = await run(playbook);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 6);
    // facts; fj_t_over; the service's facts again (an rc.conf change may concern any service);
    // the enable; rc.conf read again; the four other sysrc steps as one write
    for (const h of labHosts()) expect(report.hosts[h.name]?.roundTrips, h.name).toBe(6);
    const want = ['kept', 'new', TRICKY, MULTI, 'a b c', 'unset', '2'].map((v) => `[${v}]`).join('');
    for (const r of await onAll(
      `${SOURCED}; echo; sysrc -n fj_t_over fj_t_list fj_t_keep2; stat -f '%Mp%Lp %Su:%Sg' /etc/rc.conf; grep -c 'fleetjail must keep this' /etc/rc.conf; grep '^fj_t_over=' /etc/rc.conf; sysrc -n pflog_enable`,
    )) {
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${want}\nnew\na b c\n2\n0644 root:wheel\n1\nfj_t_over="new" # trailing comment kept\nYES\n`);
    }
  });

  it('second run changes nothing; a hand edit on one host is the only drift --check shows', async () => {
    const again = await run(playbook);
    expectChangedOnAll(again.report, 0);
    const [first] = labHosts();
    if (!first) throw new Error('no lab hosts');
    expect((await shRun(first, 'sysrc fj_t_list="a b"')).stdout).toBe('fj_t_list: a b c -> a b\n');
    const { cli, report } = await run(playbook, '--check', '--diff');
    expect(report.hosts[first.name]?.changed).toBe(1);
    expect(report.hosts[first.name]?.steps.find((s) => s.changed)?.diff).toEqual([
      { type: 'value', name: '/etc/rc.conf: fj_t_list', before: 'a b', after: 'a b c' },
    ]);
    for (const h of labHosts().slice(1)) expect(report.hosts[h.name]?.changed, h.name).toBe(0);
    expect(cli.code).toBe(0);
    expect((await shRun(first, 'sysrc -n fj_t_list')).stdout).toBe('a b\n');
  });

  it('an assignment it cannot rewrite safely fails the step with its line, and the file is untouched', async () => {
    const [first] = labHosts();
    if (!first) throw new Error('no lab hosts');
    await shRun(first, "echo 'fj_t_a=1 fj_t_b=2' >> /etc/rc.conf; sha256 -q /etc/rc.conf > /var/tmp/fj-sysrc.sum");
    const refused = writeFile(dir, 'refused.yaml', 'hosts: all\nsteps:\n  - sysrc: { name: fj_t_b, state: absent }\n');
    const { cli, report } = await run(refused, '--limit', first.name);
    expect(cli.code).toBe(2);
    expect(report.hosts[first.name]?.steps[0]?.error).toMatch(
      /^\/etc\/rc\.conf:\d+: the assignment to fj_t_b shares its line in a way fleetjail does not rewrite; edit it by hand$/,
    );
    expect(
      (await shRun(first, '[ "$(sha256 -q /etc/rc.conf)" = "$(cat /var/tmp/fj-sysrc.sum)" ] && echo same; rm /var/tmp/fj-sysrc.sum'))
        .stdout,
    ).toBe('same\n');
  });
});

/**
 * rc.conf as sh reads it (issue #10): each case reproduces a failure of the reader that cut
 * words at blanks and took quotes in comments for quotes, and of items split on one blank.
 */
const HOSTILE = `# hostile: don't "break" \`this\`
fj_h_cs=$(echo one  two)
fj_h_ar=$((1 + 2))
fj_h_jl="www db"
fj_h_ml="a
\tb\tc"
`;
/** rc(8)'s view of VARS: the defaults and rc.conf sourced by sh, each variable printed between brackets. */
const sourced = (vars: string) =>
  `( . /etc/defaults/rc.conf; . /etc/rc.conf; for v in ${vars}; do eval "printf '[%s]' \\"\\\${$v-unset}\\""; done; echo )`;

/** Runs STEPS on every host: 0 exit, CHANGED steps changed; a second run changes nothing. */
async function converge(file: string, steps: string, changed: number): Promise<void> {
  const playbook = writeFile(dir, file, `hosts: all\nsteps:\n${steps}`);
  const { cli, report } = await run(playbook);
  expect(cli.code, cli.stdout + cli.stderr).toBe(0);
  expectChangedOnAll(report, changed);
  expectChangedOnAll((await run(playbook)).report, 0);
}

async function expectOnAll(script: string, stdout: string): Promise<void> {
  for (const r of await onAll(`/bin/sh -n /etc/rc.conf && echo syntax-ok; ${script}`)) {
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`syntax-ok\n${stdout}`);
  }
}

describe('rc.conf as sh reads it', () => {
  beforeAll(async () => {
    for (const r of await onAll(`set -e
cp -p /etc/rc.conf /var/tmp/fj-sysrc-hostile.saved
printf '%s' '${HOSTILE.replaceAll("'", `'\\''`)}' >> /etc/rc.conf
/bin/sh -n /etc/rc.conf
grep -c '^syslogd_flags="-s"' /etc/defaults/rc.conf`))
      expect(r.stdout).toBe('1\n');
  });
  afterAll(async () => {
    await onAll('mv /var/tmp/fj-sysrc-hostile.saved /etc/rc.conf');
  });

  it('a command substitution or arithmetic expansion with blanks is replaced whole', async () => {
    await converge('cs.yaml', '  - sysrc: { name: fj_h_cs, value: new }\n  - sysrc: { name: fj_h_ar, value: 5 }\n', 2);
    await expectOnAll(sourced('fj_h_cs fj_h_ar'), '[new][5]\n');
  });

  it('a quote in a comment hides nothing: the variable below it is found and removed', async () => {
    await converge('comment.yaml', '  - sysrc: { name: fj_h_jl, state: absent }\n', 1);
    await expectOnAll(`${sourced('fj_h_jl')}; grep -c fj_h_jl /etc/rc.conf`, '[unset]\n0\n');
  });

  it('the items of a multi-line, tab-separated list are found (any whitespace splits, as sysrc += and -=)', async () => {
    await converge('list.yaml', '  - sysrc: { name: fj_h_ml, item: b, state: absent }\n  - sysrc: { name: fj_h_ml, item: c }\n', 1);
    await expectOnAll(sourced('fj_h_ml'), '[a c]\n');
  });

  it('an item added to a variable only the defaults set starts from the default value (syslogd_flags keeps -s)', async () => {
    await converge('syslogd.yaml', '  - sysrc: { name: syslogd_flags, item: -c }\n', 1);
    await expectOnAll(
      `${sourced('syslogd_flags')}; sysrc -n syslogd_flags; grep '^syslogd_flags=' /etc/rc.conf`,
      '[-s -c]\n-s -c\nsyslogd_flags="-s -c"\n',
    );
  });

  it("a new text the host's sh does not read as planned is not written: the old file stays and the step fails", async () => {
    const [first] = labHosts();
    if (!first) throw new Error('no lab hosts');
    const set = writeFile(dir, 'overridden.yaml', 'hosts: all\nsteps:\n  - sysrc: { name: fj_h_src, value: new }\n');
    const sum = `sha256 -q /etc/rc.conf`;
    // (1) read back: a file rc.conf sources sets it again, so sourcing the new text does not give "new"
    await shRun(
      first,
      `printf 'fj_h_src="other"\\n' > /etc/fj-h-extra.conf; printf 'fj_h_src="old"\\n. /etc/fj-h-extra.conf\\n' >> /etc/rc.conf; ${sum} > /var/tmp/fj-h.sum`,
    );
    let { cli, report } = await run(set, '--limit', first.name);
    expect(cli.code).toBe(2);
    expect(report.hosts[first.name]?.steps[0]?.error).toMatch(/validation failed \(.*\/bin\/sh -n .*\): the file was not changed/s);
    expect((await shRun(first, `[ "$(${sum})" = "$(cat /var/tmp/fj-h.sum)" ] && echo same`)).stdout).toBe('same\n');
    // (2) sh -n: a stray `fi` in rc.conf (rc(8) stops reading it at boot); the edit elsewhere is refused by the host's sh
    await shRun(first, `printf 'fi\\n' >> /etc/rc.conf; rm /etc/fj-h-extra.conf; ${sum} > /var/tmp/fj-h.sum`);
    ({ cli, report } = await run(set, '--limit', first.name));
    expect(cli.code).toBe(2);
    expect(report.hosts[first.name]?.steps[0]?.error).toMatch(/validation failed/);
    expect((await shRun(first, `[ "$(${sum})" = "$(cat /var/tmp/fj-h.sum)" ] && echo same; rm /var/tmp/fj-h.sum`)).stdout).toBe('same\n');
  });

  it('a value with a NUL byte is refused before any host is contacted', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const inventory = writeFile(
        dir,
        'trap.yaml',
        `defaults:\n  user: root\n  identity_file: ${labPaths.clientKey}\n  known_hosts: ${labPaths.knownHosts}\nhosts:\n  trap:\n    address: 127.0.0.1\n    port: ${port}\n`,
      );
      const nul = writeFile(
        dir,
        'nul.yaml',
        'hosts: all\nsteps:\n  - sysrc: { name: fj_h_nul, value: "a\\0b" }\n  - sysrc: { name: jail_list, item: "x\\0" }\n',
      );
      const r = await fleetjail(['run', nul, '-i', inventory, '--connect-timeout', '2']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/nul\.yaml:3:\d+: .*an rc\.conf value contains a NUL byte, which no sh variable can hold/);
      expect(r.stderr).toMatch(/nul\.yaml:4:\d+: .*NUL byte/);
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
