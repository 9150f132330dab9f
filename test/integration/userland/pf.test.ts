/**
 * pfctl(8), rc.d/pf and the SSH lockout on a lab host (#3 point 6), against the pfctl-* and
 * service-pf-* references.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHosts, labPaths, sshRun, type ShellResult } from '../../support/lab.js';
import { referenceLines } from './reference.js';

const host = () => labHosts()[0]!;
const run = async (cmd: string, stdin?: string) => sshRun(host(), cmd, stdin === undefined ? {} : { stdin });

const PF_CONF = `# a realistic host ruleset
ext_if = "em0"
tcp_services = "{ ssh, http, https }"
table <crowdsec-blacklists> persist
table <bogons> persist { 192.0.2.0/24, 198.51.100.0/24 }
set skip on lo0
set block-policy drop
scrub in all
nat on $ext_if inet from 10.17.89.0/24 to any -> ($ext_if)
rdr pass on $ext_if inet proto tcp from any to any port 2001 -> 10.17.89.1 port 22
rdr-anchor "rdr/*"
block in all
block drop in quick from <crowdsec-blacklists> to any
pass out quick on $ext_if inet keep state
pass in on $ext_if proto tcp from any to any port $tcp_services
pass in inet proto icmp icmp-type echoreq
anchor "blacklist/*"
`;

beforeAll(async () => {
  await run('kldload -n pf; pfctl -d >/dev/null 2>&1; pfctl -F all >/dev/null 2>&1; cat > /etc/pf.conf', PF_CONF);
});
afterAll(async () => {
  await run('pfctl -d >/dev/null 2>&1; pfctl -F all >/dev/null 2>&1; sysrc -x pf_enable >/dev/null 2>&1; rm -f /etc/pf.conf');
});

describe('pfctl', () => {
  it('-nf accepts a realistic ruleset silently and rejects errors as FILE:LINE: syntax error, exit 1', async () => {
    const ok = await run('pfctl -nf /etc/pf.conf');
    expect(ok).toEqual({ code: 0, stdout: '', stderr: '' });
    const bad = await run('printf "pass in all\\npass in bogus keyword\\n" > /tmp/bad.conf; pfctl -nf /tmp/bad.conf');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('/tmp/bad.conf:2: syntax error\n');
    const ref = referenceLines('pfctl-nf-error-01.txt').join('\n');
    expect(ref).toMatch(/'\/tmp\/rules\.test\.packages:72: syntax error'/);
  });

  it("-f on error: pfctl's messages (pfctl-f-error-01/02 shapes), nothing loaded", async () => {
    const r = await run('pfctl -a "rdr/nomad01" -f-', 'rdr pass on $ext_if inet proto tcp to port 8500 -> 10.0.0.1 port 8500\n');
    expect(r.stderr.split('\n').slice(0, 2)).toEqual(referenceLines('pfctl-f-error-02.txt').slice(1));
    const host6 = await run('printf "pass in from lo1:network to any\\n" > /tmp/h.conf; pfctl -f /tmp/h.conf');
    const ref = referenceLines('pfctl-f-error-01.txt');
    expect(host6.stderr).toBe(`no IP address found for lo1:network\n/tmp/h.conf:1: could not parse host specification\n${ref[2]}\n`);
  });

  it("-e / -d print FreeBSD's messages (pfctl-e-01), twice is an error", async () => {
    const r = await run('pfctl -e; pfctl -e; echo "rc=$?"; pfctl -d; pfctl -d; echo "rc=$?"');
    expect(r.stderr).toBe(`${referenceLines('pfctl-e-01.txt')[0]}\npfctl: pf already enabled\npf disabled\npfctl: pf not enabled\n`);
    expect(r.stdout).toBe('rc=1\nrc=1\n');
  });

  it('loads with -f and shows normalised rules (-sr, -sn like pfctl-sr-01 / pfctl-sn-01), tables (-sT)', async () => {
    const r = await run('pfctl -f /etc/pf.conf && pfctl -sr && echo --- && pfctl -sn && echo --- && pfctl -sT');
    expect(r.code, r.stderr).toBe(0);
    const [rules, nat, tables] = r.stdout.split('---\n');
    expect(rules!.trim().split('\n')).toEqual([
      'scrub in all fragment reassemble',
      'block drop in all',
      'block drop in quick from <crowdsec-blacklists> to any',
      'pass out quick on em0 inet all flags S/SA keep state',
      'pass in on em0 proto tcp from any to any port = ssh flags S/SA keep state',
      'pass in on em0 proto tcp from any to any port = http flags S/SA keep state',
      'pass in on em0 proto tcp from any to any port = https flags S/SA keep state',
      'pass in inet proto icmp all icmp-type echoreq keep state',
      'anchor "blacklist/*" all',
    ]);
    expect(rules).toContain(`${referenceLines('pfctl-sr-01.txt')[0]}\n`);
    expect(nat!.trim().split('\n')).toEqual([
      'nat on em0 inet from 10.17.89.0/24 to any -> (em0) round-robin',
      'rdr pass on em0 inet proto tcp from any to any port = 2001 -> 10.17.89.1 port 22',
      'rdr-anchor "rdr/*" all',
    ]);
    expect(tables!.trim().split('\n')).toEqual(['bogons', 'crowdsec-blacklists']);
  });

  it('anchors: -a NAME -f - loads, -a NAME -sn / -Psn show, -Fn prints "nat cleared" (pfctl-F-01)', async () => {
    const missing = await run('pfctl -a rdr/dev1 -sn');
    expect(missing.stderr).toBe('pfctl: DIOCGETRULES: Invalid argument\n');
    const load = await run(
      'pfctl -a rdr/dev1 -f -',
      'rdr pass on em0 inet proto tcp from any to any port 2001 -> 10.17.89.1 port 22\nrdr pass on em0 inet proto udp from any to any port 2053 -> 10.17.89.1 port 53\n',
    );
    expect(load.code, load.stderr).toBe(0);
    const shown = await run('pfctl -a rdr/dev1 -Psn');
    expect(
      shown.stdout
        .replace(/rdr pass/g, 'rdr')
        .trim()
        .split('\n'),
    ).toEqual(referenceLines('pfctl-sn-01.txt'));
    const flushed = await run('pfctl -a rdr/dev1 -Fn; pfctl -a rdr/dev1 -sn');
    expect(flushed.stderr).toBe(`${referenceLines('pfctl-F-01.txt')[0]}\n`);
    expect(flushed.stdout).toBe('');
  });

  it("-nvf prints what it parsed (pfctl-nvf-02 nat shape), -s info has pfctl-si-01's layout", async () => {
    const nv = await run(
      "printf 'nat on vtnet1 inet from ! (vtnet1) to any -> (vtnet1) round-robin endpoint-independent\\n' > /tmp/nv.conf; pfctl -nvf /tmp/nv.conf",
    );
    expect(nv.stdout.trim()).toBe(referenceLines('pfctl-nvf-02.txt')[0]);
    const si = await run('pfctl -e -q; pfctl -si');
    const ref = referenceLines('pfctl-si-01.txt');
    const lines = si.stdout.split('\n');
    expect(lines[0]).toMatch(/^Status: Enabled for 0 days 00:00:0\d {11}Debug: Urgent$/);
    expect(lines[0]!.indexOf('Debug')).toBe(ref[0]!.indexOf('Debug'));
    expect(lines).toContain(ref.find((l) => l.startsWith('State Table')));
    expect(lines).toContain('Counters');
    for (const name of ['searches', 'match', 'state-mismatch', 'synproxy']) {
      const mine = lines.find((l) => l.startsWith(`  ${name} `))!;
      const theirs = ref.find((l) => l.startsWith(`  ${name} `))!;
      expect(mine.search(/\d/)).toBe(theirs.search(/\d/) + theirs.match(/\d+/)![0].length - 1);
    }
    await run('pfctl -d -q');
  });

  it('unknown -s modifier: pfctl-s-error-01', async () => {
    const r = await run('pfctl -s ethernet');
    expect(r.stderr.split('\n')[0]).toBe(referenceLines('pfctl-s-error-01.txt')[0]);
    expect(r.code).toBe(1);
  });
});

describe('service pf', () => {
  it("start / status / check / reload / stop with rc.d/pf's messages (service-pf-start-01, -status-01)", async () => {
    const start = await run('pfctl -F all -q; sysrc pf_enable=YES; service pf start');
    expect(start.stdout.trim().split('\n')).toEqual(referenceLines('service-pf-start-01.txt').filter((l) => !l.startsWith('$')));
    const status = await run('service pf status');
    expect(status.stdout.split('\n')[0]).toMatch(/^Status: Enabled for 0 days 00:00:0\d {11}Debug: Urgent$/);
    expect(status.stdout.split('\n')[0]!.length).toBe(
      referenceLines('service-pf-status-01.txt').find((l) => l.startsWith('Status:'))!.length,
    );
    const check = await run('service pf check; service pf reload; service pf stop; service pf status | head -1');
    expect(check.stdout).toBe(
      'Checking pf rules.\nReloading pf rules.\nDisabling pf.\nStatus: Disabled                              Debug: Urgent\n',
    );
  });

  it('reports a broken pf.conf the way rc.d/pf does (pfctl-f-error-01: glued to "Enabling pf")', async () => {
    const r = await run(
      'cp /etc/pf.conf /tmp/pf.good; printf "pass in from lo1:network to any\\n" > /etc/pf.conf; service pf restart; cp /tmp/pf.good /etc/pf.conf',
    );
    expect(r.stdout).toContain('Enabling pf');
    expect(r.stderr).toContain(
      '/etc/pf.conf:1: could not parse host specification\npfctl: Syntax error in config file: pf rules not loaded\n',
    );
  });
});

/** ssh with a ControlMaster: commands through the master reuse its open connection. */
function sshMux(args: string[], control: string): Promise<ShellResult> {
  return new Promise((resolve) => {
    execFile(
      'ssh',
      [
        '-q',
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${labPaths.knownHosts}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `ControlPath=${control}`,
        '-o',
        'ConnectTimeout=5',
        '-i',
        labPaths.clientKey,
        '-l',
        'root',
        ...args,
      ],
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('SSH lockout', () => {
  const control = path.join(os.tmpdir(), `fj-pf-${process.pid}`);
  afterAll(async () => {
    await sshMux(['-O', 'exit', host().address], control);
  });

  it('a ruleset that blocks port 22 refuses new sessions; the open one can disable pf and SSH comes back', async () => {
    const master = await sshMux(['-o', 'ControlMaster=yes', '-o', 'ControlPersist=120', '-fN', host().address], control);
    expect(master.code, master.stderr).toBe(0);
    const lock = await sshMux(
      [host().address, 'printf "block in all\\npass out all\\n" > /tmp/lock.conf; pfctl -q -e; pfctl -f /tmp/lock.conf; pfctl -sr'],
      control,
    );
    expect(lock.stdout).toBe('block drop in all\npass out all flags S/SA keep state\n');

    const refused = await sshRun(host(), 'true');
    expect(refused.code).toBe(255);

    // A ruleset that lets SSH in (last match: pass) restores the listener too.
    const safe = await sshMux(
      [host().address, 'printf "block in all\\npass in proto tcp from 127.0.0.1 to any port ssh\\n" > /tmp/ok.conf; pfctl -f /tmp/ok.conf'],
      control,
    );
    expect(safe.code, safe.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 300));
    expect((await sshRun(host(), 'echo back')).stdout).toBe('back\n');

    await sshMux([host().address, 'pfctl -f /tmp/lock.conf'], control);
    expect((await sshRun(host(), 'true')).code).toBe(255);
    const off = await sshMux([host().address, 'pfctl -d'], control);
    expect(off.stderr).toBe('pf disabled\n');
    await new Promise((res) => setTimeout(res, 300));
    const back = await sshRun(host(), 'service sshd status');
    expect(back.stdout).toMatch(/^sshd is running as pid \d+\.\n$/);
  });
});
