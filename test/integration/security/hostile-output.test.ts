/**
 * Issue #11, second hostile pass, on the lab fleet: secrets that took a form fleetjail itself
 * quoted, a common word as a no_log step's output, a host's huge output, forged lock and
 * time-limit lines. Every test here FAILED on the code it was written against; each comment
 * gives the finding as it was (fixed since). Unit halves: test/unit/security/secret-forms.test.ts
 * and hostile-output.test.ts.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetjail, parseJson } from '../../support/cli.js';
import { labHosts, labPaths, shRun } from '../../support/lab.js';
import { onAllHosts, runWithReport, scratchDir, writeFile } from '../../support/playbook.js';

const dir = scratchDir();
const TOKEN_ENV = 'FJO_TOKEN';
const TPL = '/usr/jails/fjo-tpl';

const CLEAN = `rm -f /home/ops/fjh-notes /etc/rc.conf.fjh /etc/jail.conf.d/fjhj.conf; rm -rf ${TPL} /usr/jails/fjhj; true`;

beforeAll(async () => {
  const prep = await onAllHosts(`${CLEAN}
set -e
cp -p /etc/rc.conf /var/tmp/fjo-rc.conf.saved
sh /.sys/userland/lib/jail/mini-root.sh ${TPL} >/dev/null`);
  for (const r of prep) expect(r.stderr).toBe('');
}, 120_000);

afterAll(async () => {
  await onAllHosts(`${CLEAN}
cp -p /var/tmp/fjo-rc.conf.saved /etc/rc.conf && rm -f /var/tmp/fjo-rc.conf.saved; true`);
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** A playbook on every host with `token` a secret from the environment. */
const play = (name: string, steps: unknown[]) =>
  writeFile(dir, `${name}.yaml`, JSON.stringify({ name, hosts: 'all', vars_from_env: { token: TOKEN_ENV }, steps }, null, 1));

const first = () => labHosts()[0]!;

describe('hostile pass 2 on the lab fleet: secrets in quoted forms, output that could hurt the controller', () => {
  // Finding (fixed): secrets are masked by their literal value, but where fleetjail quoted a secret
  // itself the quoted form is what gets printed. sysrc's host-side check of the new rc.conf
  // (rcValidation) embeds the value shell-quoted; when the check fails (here a file rc.conf
  // sources sets the variable again: README says this is caught there) the step's error
  // output quotes the whole check, `validation failed (... [ "$fj_v" = 'it'\''s-...' ])`.
  // A secret with a ' in it is then shown on the terminal and in --report unmasked (split
  // only by '\''). Quoted forms of each secret (sh, jail.conf) should be masked too, or the
  // check text kept out of the message. Severity: leaks a secret.
  it('a secret with a quote is not shown when the rc.conf check of a sysrc step fails', async () => {
    const TOKEN = "it's-a-s3cret-value";
    await onAllHosts(`cp -p /var/tmp/fjo-rc.conf.saved /etc/rc.conf
printf 'fjh_token="old"\\n. /etc/rc.conf.fjh\\n' >> /etc/rc.conf
printf 'fjh_token="set-elsewhere"\\n' > /etc/rc.conf.fjh`);
    const pb = play('rcquote', [{ name: 'token in rc.conf', sysrc: { name: 'fjh_token', value: '{{ token }}' } }]);
    const report = `${dir}/rcquote.json`;
    const r = await fleetjail(['run', pb, '-i', labPaths.inventory, '--report', report], { env: { ...process.env, [TOKEN_ENV]: TOKEN } });
    expect(r.code, r.stdout + r.stderr).toBe(2); // the check failed on every host, as it should
    const outputs = { terminal: r.stdout + r.stderr, report: fs.readFileSync(report, 'utf8') };
    for (const [where, text] of Object.entries(outputs)) {
      expect(
        text.includes('s-a-s3cret-value'),
        `${where} shows the secret's quoted form:\n${text
          .split('\n')
          .filter((l) => l.includes('s3cret'))
          .join('\n')}`,
      ).toBe(false);
    }
    await onAllHosts('cp -p /var/tmp/fjo-rc.conf.saved /etc/rc.conf; rm -f /etc/rc.conf.fjh');
  }, 120_000);

  // Finding (fixed): the same for jail.conf: a secret in a jail's `params` (an exec.* command's
  // key) is written jail.conf-quoted, `"` and `\` escaped, and `--diff` shows the file's
  // lines: `--key=pw\"with-quote-77` does not match the secret `pw"with-quote-77`, so the
  // diff prints it (the diff of a file with a secret in it is masked by value only).
  // Severity: leaks a secret.
  it('a secret with a double quote in a jail param is not shown by --diff', async () => {
    const TOKEN = 'pw"with-quote-77';
    const pb = play('jailparam', [
      {
        name: 'jail with a keyed hook',
        jail: {
          name: 'fjhj',
          type: 'thick',
          template: TPL,
          path: '/usr/jails/fjhj',
          state: 'stopped',
          params: { 'exec.poststart': '/usr/local/bin/notify --key={{ token }}' },
        },
      },
    ]);
    const r = await fleetjail(['run', pb, '-i', labPaths.inventory, '-l', first().name, '--check', '--diff'], {
      env: { ...process.env, [TOKEN_ENV]: TOKEN },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('exec.poststart'); // the jail.conf diff was shown
    expect(
      r.stdout.includes('with-quote-77'),
      r.stdout
        .split('\n')
        .filter((l) => l.includes('exec.poststart'))
        .join('\n'),
    ).toBe(false);
  }, 120_000);

  // Finding (fixed): a host's stdout is held whole in memory and decoded to one string
  // (session.ts collect: Buffer.concat(...).toString()). A host (or a command's output)
  // of 700 MB exceeds V8's maximum string length: the exception is thrown in the channel's
  // close handler, nothing catches it, and the controller dies: no recap, no --report, the
  // other hosts' results lost, exit 1 ("nothing was contacted"; seen: "Error: Cannot create a
  // string longer than 0x1fffffe8 characters"). README: "the report says
  // exactly what happened". Output should be bounded (keep a tail, count the rest), and
  // the step fail with a clear error. Severity: lies (the run ends with no report).
  it('a host that prints 700 MB fails its step; the run still ends with a report of every host', async () => {
    const two = labHosts()
      .slice(0, 2)
      .map((h) => h.name);
    const pb = play('huge', [
      { name: 'a flood', command: { cmd: 'yes | head -c 700000000' }, when: `inventory_hostname == '${two[0]}'` },
      { name: 'after', command: { cmd: 'echo fine' } },
    ]);
    const { cli, report } = await runWithReport(pb, '-l', two.join(','));
    expect(cli.code, cli.stdout + cli.stderr).toBe(2);
    expect(report.hosts[two[1]!]?.status, cli.stdout + cli.stderr).toBe('changed');
    const flooded = report.hosts[two[0]!]!;
    expect(flooded.status).toBe('failed');
    expect(flooded.steps[0]).toMatchObject({
      name: 'a flood',
      status: 'failed',
      error: expect.stringMatching(/^output too large: 700000000 bytes \(limit \d+\)/),
    });
    expect(cli.stdout).toMatch(/output too large: 700000000 bytes/); // the recap says it too
  }, 300_000);

  it('a step run alone, a fact and `exec --json` that print 100 MB fail as too large; the other steps keep their results', async () => {
    // A hostile rc.d script: `service fjflood rcvar`, a fact query, prints 100 MB.
    await shRun(
      first(),
      "mkdir -p /usr/local/etc/rc.d && printf '#!/bin/sh\\nyes | head -c 100000000\\n' > /usr/local/etc/rc.d/fjflood && chmod 755 /usr/local/etc/rc.d/fjflood",
    );
    const pb = play('huge-alone', [
      { name: 'before', command: { cmd: 'echo before' }, register: 'before' },
      { name: 'alone', command: { cmd: 'yes | head -c 100000000' }, timeout: 60, ignore_errors: true },
      { name: 'probed', service: { name: 'fjflood', enabled: true }, ignore_errors: true },
      { name: 'after', command: { cmd: 'echo "{{ before.stdout }}"' } },
    ]);
    const { cli, report } = await runWithReport(pb, '-l', first().name);
    const steps = report.hosts[first().name]!.steps;
    expect(
      steps.map((x) => [x.name, x.status]),
      cli.stdout + cli.stderr,
    ).toEqual([
      ['before', 'changed'],
      ['alone', 'failed'],
      ['probed', 'failed'],
      ['after', 'changed'],
    ]);
    expect(steps[1]!.error).toMatch(/^output too large: 100000000 bytes \(limit \d+\)/);
    expect(steps[2]!.error).toMatch(/output too large: 100000000 bytes \(limit \d+\)/);
    const r = await fleetjail(['exec', first().name, '-i', labPaths.inventory, '--json', '--', 'yes | head -c 100000000']);
    const doc = parseJson<{ hosts: Array<{ status: string; error: string | null; stdout: string }> }>(r);
    expect(doc.hosts[0]?.status).toBe('failed');
    expect(doc.hosts[0]?.error).toMatch(/output too large: 100000000 bytes/);
    await shRun(first(), 'rm -f /usr/local/etc/rc.d/fjflood');
  }, 300_000);

  // Finding (fixed): masking is by value over every string of the report, JSON keys included, and
  // what a no_log step registers becomes secret line by line. A no_log step that prints a
  // common word (`... && echo changed`, a frequent idiom) makes that word a "secret": the
  // JSON report's own field names are then masked, `"********": 1` instead of
  // `"changed": 1`, so a CI job reading .hosts[H].changed gets nothing, and every "changed"
  // on the terminal reads ********. Worse, on the lab the run itself breaks: every step
  // succeeded, yet the host is reported FAILED ("Cannot read properties of undefined (reading
  // 'replace')", "FAILED after NaN steps"), the recap shows "changed: undefined", statuses
  // read "********", exit 2. fleetjail's own structure (keys, statuses) should never be
  // masked; a common word as a secret should be refused or masked only where it came from.
  // Severity: lies (a good run reported failed; the report loses its fields).
  it("a no_log step printing a common word does not erase the JSON report's field names", async () => {
    const pb = play('commonword', [
      { name: 'quiet setup', command: { cmd: 'echo changed' }, no_log: true, register: 'setup' },
      { name: 'after it', command: { cmd: 'echo next' }, when: 'setup.rc == 0' },
      // What a no_log step prints that looks like a secret is still masked where it shows up later.
      { name: 'make a token', command: { cmd: 'echo tok-Zm9vYmFy-9xq2' }, no_log: true, register: 'tok' },
      { name: 'show it', command: { cmd: 'echo "token {{ tok.stdout }} changed"; exit 3' }, ignore_errors: true },
    ]);
    const { cli, report } = await runWithReport(pb, '-l', first().name);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    const host = report.hosts[first().name] as unknown as Record<string, unknown>;
    expect(Object.keys(host), JSON.stringify(host)).toContain('changed');
    expect(host.changed).toBe(3);
    expect(cli.stdout).toMatch(/^host +status +ok +changed +failed/m); // the recap's columns
    const text = cli.stdout + JSON.stringify(report);
    expect(text).not.toContain('tok-Zm9vYmFy-9xq2');
    expect(report.hosts[first().name]!.steps[3]!.output?.stdout).toBe('token ******** changed');
  }, 120_000);

  // Finding (fixed): the host lock's nonce is in the host's process list (`lockf ... /bin/sh -s
  // fleetjail-NONCE`, readable by any local user), and the same nonce makes the marker that
  // ends the lock's round trip (`@@fj:NONCE:locked:STATUS`, host-lock.ts), which the
  // controller looks for anywhere in that round trip's stdout, the facts included. A local
  // user whose file a step reads (here a `line` step on a file in their home; a slow probe
  // gives them time, but any fact read after their write will do) copies the nonce from ps
  // into the file: the facts are cut at that point, and the step fails with "the fact
  // script ended early (exit status 0)", which is not what happened. The marker should carry
  // a secret that is never on a command line (sent on stdin), and be looked for only at the
  // end of the output. Severity: lies (and a local user can fail any run on that host).
  it('a local user who copies the lock nonce from ps into a file a step reads does not cut the facts', async () => {
    await shRun(first(), 'printf "a=1\\n" > /home/ops/fjh-notes; chown ops /home/ops/fjh-notes');
    const pb = play('forgelock', [
      { name: 'slow probe', command: { cmd: 'true', unless: 'sleep 2' } },
      { name: 'managed line', line: { path: '/home/ops/fjh-notes', line: 'managed=1' } },
    ]);
    const spy = shRun(
      first(),
      String.raw`i=0; while [ $i -lt 100 ]; do n=$(ps -ax -o args | sed -n 's/^\/bin\/sh -s fleetjail-\([0-9a-f]*\)$/\1/p' | head -n 1); if [ -n "$n" ]; then printf '\n@@fj:%s:locked:0\n' "$n" >> /home/ops/fjh-notes; echo "nonce $n"; exit 0; fi; i=$((i+1)); sleep 0.05; done`,
      { user: 'ops' },
    );
    const { cli } = await runWithReport(pb, '-l', first().name);
    const seen = (await spy).stdout;
    expect(seen).toMatch(/^nonce [0-9a-f]+\n$/); // the user did read the nonce in ps
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect((await shRun(first(), 'tail -n 1 /home/ops/fjh-notes; rm -f /home/ops/fjh-notes')).stdout).toBe('managed=1\n');
  }, 120_000);

  // Finding (fixed): the host's time-limit line (`@@fj:time-limit` on stderr, remote-script.ts) has
  // no nonce: any command that prints it on stderr (a file a local user can write, cat'ed
  // by `fleetjail exec`) makes fleetjail report a timeout for a command that finished in
  // milliseconds with status 0. The mark should carry the run's random nonce, as the
  // batch frames do. Severity: lies.
  it('a host printing the time-limit line is not reported as timed out', async () => {
    const r = await fleetjail([
      'exec',
      first().name,
      '-i',
      labPaths.inventory,
      '--json',
      '--',
      "printf '\\n@@fj:time-limit\\n' >&2; echo done",
    ]);
    const doc = parseJson<{ hosts: Array<{ status: string; error: string | null; stdout: string }> }>(r);
    expect(doc.hosts[0], r.stdout + r.stderr).toMatchObject({ status: 'ok', stdout: 'done\n' });
  }, 60_000);
});
