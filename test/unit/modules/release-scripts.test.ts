/**
 * The release module's shell, run for real by /bin/sh on this machine against a scratch
 * template, with FreeBSD's fetch, sha256 and freebsd-update stood in by small scripts: the
 * fact script's own test of "is a set still to be extracted" must agree with the plan's
 * (else the plan lacks the MANIFEST or freebsd-update's answer), and the extraction refuses
 * a download whose sum is not the MANIFEST's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseArgs, type ReleaseArgs } from '../../../src/modules/release/args.js';
import { parseTemplateState, releaseFactQuery, setDone } from '../../../src/modules/release/facts.js';
import { planRelease } from '../../../src/modules/release/plan.js';
import { extractScript } from '../../../src/modules/release/scripts.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-release-sh-'));
const bin = path.join(work, 'bin');
const mirror = path.join(work, 'mirror');
const log = path.join(work, 'freebsd-update.log');
const rel = path.join(mirror, 'amd64/amd64/14.2-RELEASE');
const hasBsdtar = spawnSync('bsdtar', ['--version']).status === 0;

const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
fs.mkdirSync(bin);
fs.mkdirSync(rel, { recursive: true });
stub(
  'sha256',
  '[ "$1" = -q ] && shift\n[ -r "$1" ] || { echo "sha256: $1: No such file or directory" >&2; exit 1; }\nsha256sum "$1" | cut -d" " -f1',
);
stub(
  'fetch',
  [
    'out=; while [ $# -gt 1 ]; do case $1 in -o) out=$2; shift ;; esac; shift; done',
    'src="$FJ_MIRROR/${1#http://mirror.test/}"',
    '[ -f "$src" ] || { echo "fetch: $1: Not Found" >&2; exit 1; }',
    'if [ "$out" = - ]; then cat "$src"; else cp "$src" "$out"; fi',
  ].join('\n'),
);
stub('freebsd-update', 'echo "$*" >> "$FJ_LOG"\necho "No updates needed to update system to 14.2-RELEASE-p3."');
stub('tar', 'exec bsdtar "$@"');

// A release with one set holding bin/freebsd-version, and its MANIFEST.
const stage = path.join(work, 'stage');
fs.mkdirSync(path.join(stage, 'bin'), { recursive: true });
fs.writeFileSync(path.join(stage, 'bin/freebsd-version'), '#!/bin/sh\necho 14.2-RELEASE\n', { mode: 0o755 });
if (hasBsdtar) execFileSync('bsdtar', ['-c', '-J', '-f', path.join(rel, 'base.txz'), '-C', stage, '.']);
else fs.writeFileSync(path.join(rel, 'base.txz'), 'no bsdtar here');
const sum = crypto
  .createHash('sha256')
  .update(fs.readFileSync(path.join(rel, 'base.txz')))
  .digest('hex');
fs.writeFileSync(
  path.join(rel, 'MANIFEST'),
  `base.txz\t${sum}\t3\tbase\t"Base system (MANDATORY)"\ton\nlib32.txz\t${'c'.repeat(64)}\t1\tlib32\t"32-bit"\ton\n`,
);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function sh(script: string) {
  const r = spawnSync('/bin/sh', ['-c', script], {
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, FJ_MIRROR: mirror, FJ_LOG: log, LC_ALL: 'C' },
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? -1 };
}

function args(root: string, extra: Record<string, unknown> = {}): ReleaseArgs {
  return releaseArgs.parse({ version: '14.2-RELEASE', path: root, mirror: 'http://mirror.test', workdir: path.join(work, 'wd'), ...extra });
}

let n = 0;
/** A scratch template: FILES (relative path → content) written under a new root. */
function template(files: Record<string, string>): string {
  const root = path.join(work, `t${n++}`);
  for (const [f, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), content, { mode: f.startsWith('bin/') ? 0o755 : 0o644 });
  }
  return root;
}

const FV = (v: string) => `#!/bin/sh\necho ${v}\n`;

describe('the fact script (run by /bin/sh)', () => {
  const cases: Array<{
    name: string;
    files: Record<string, string>;
    sets?: string[];
    manifest: boolean;
    update: boolean;
    missing: string[];
  }> = [
    { name: 'no template', files: {}, manifest: true, update: false, missing: ['base.txz'] },
    {
      name: 'extracted by this module',
      files: { 'bin/freebsd-version': FV('14.2-RELEASE-p3'), '.fleetjail-release': `base.txz 14.2-RELEASE ${sum}\n` },
      manifest: false,
      update: true,
      missing: [],
    },
    {
      name: 'extraction left unfinished',
      files: {
        'bin/freebsd-version': FV('14.2-RELEASE'),
        '.fleetjail-release': `base.txz 14.2-RELEASE ${sum}\n`,
        '.fleetjail-extracting': 'base.txz\n',
      },
      manifest: true,
      update: false,
      missing: ['base.txz'],
    },
    {
      name: 'an unfinished set no longer wanted',
      files: {
        'bin/freebsd-version': FV('14.2-RELEASE-p3'),
        '.fleetjail-release': `base.txz 14.2-RELEASE ${sum}\n`,
        '.fleetjail-extracting': 'lib32.txz\n',
      },
      manifest: false,
      update: true,
      missing: [],
    },
    { name: 'made by hand', files: { 'bin/freebsd-version': FV('14.2-RELEASE-p3') }, manifest: false, update: true, missing: [] },
    {
      name: 'made by hand, lib32 wanted',
      files: { 'bin/freebsd-version': FV('14.2-RELEASE-p3') },
      sets: ['lib32'],
      manifest: true,
      update: false,
      missing: ['lib32.txz'],
    },
    {
      name: 'a set recorded for another release',
      files: { 'bin/freebsd-version': FV('14.2-RELEASE-p3'), '.fleetjail-release': `base.txz 14.1-RELEASE ${sum}\n` },
      manifest: true,
      update: false,
      missing: ['base.txz'],
    },
    {
      name: 'a userland of another release',
      files: { 'bin/freebsd-version': FV('14.1-RELEASE-p3') },
      manifest: true,
      update: false,
      missing: ['base.txz'],
    },
  ];
  for (const c of cases) {
    it(`${c.name}: agrees with the plan on what is missing, and reads MANIFEST / asks freebsd-update only then`, () => {
      const root = template(c.files);
      const a = args(root, c.sets ? { sets: c.sets } : {});
      fs.rmSync(log, { force: true });
      const state = parseTemplateState(sh(releaseFactQuery(a).script), a);
      expect(a.sets.map((s) => `${s}.txz`).filter((f) => !setDone(state, f, a.version))).toEqual(c.missing);
      expect(state.manifest !== undefined).toBe(c.manifest);
      expect(state.update !== undefined).toBe(c.update);
      if (c.manifest) expect(state.manifest).toMatchObject({ ok: true });
      if (c.update) {
        expect(state.update).toEqual({ ok: true, answer: { pending: false, version: '14.2-RELEASE-p3' } });
        expect(fs.readFileSync(log, 'utf8')).toBe(
          `--not-running-from-cron -b ${root} -d ${path.join(work, 'wd')} -f /etc/freebsd-update.conf --currently-running 14.2-RELEASE-p3 fetch\n`,
        );
      } else {
        expect(fs.existsSync(log)).toBe(false);
      }
      if (state.userland?.release === '14.1-RELEASE')
        expect(() => planRelease(a, state)).toThrow(/holds 14\.1-RELEASE-p3, not 14\.2-RELEASE/);
      else expect(() => planRelease(a, state)).not.toThrow();
    });
  }

  it("reads the template's own freebsd-update.conf when it has one, and its directory state", () => {
    const root = template({ 'bin/freebsd-version': FV('14.2-RELEASE-p3'), 'etc/freebsd-update.conf': 'KeyPrint x\n' });
    fs.rmSync(log, { force: true });
    const a = args(root);
    const state = parseTemplateState(sh(releaseFactQuery(a).script), a);
    expect(state.dir).toBe('nonempty');
    expect(state.userland).toEqual({ version: '14.2-RELEASE-p3', release: '14.2-RELEASE', patch: 3 });
    expect(fs.readFileSync(log, 'utf8')).toContain(`-f ${root}/etc/freebsd-update.conf`);
  });

  it("reports a MANIFEST that cannot be fetched with fetch's message", () => {
    const a = args(template({}), { version: '14.1-RELEASE' });
    const state = parseTemplateState(sh(releaseFactQuery(a).script), a);
    expect(state.manifest).toEqual({ ok: false, error: 'fetch: http://mirror.test/amd64/amd64/14.1-RELEASE/MANIFEST: Not Found' });
  });
});

describe.skipIf(!hasBsdtar)('the extraction script (run by /bin/sh)', () => {
  const entry = (sha256: string) => ({ file: 'base.txz', sha256, entries: 3, set: 'base', description: '', default: true });
  const tmpLeft = () => fs.readdirSync('/var/tmp').filter((f) => f.startsWith('fleetjail-release.'));

  it("extracts a set whose sum is the MANIFEST's and records it last", () => {
    const root = template({});
    fs.mkdirSync(root);
    const before = tmpLeft();
    const r = sh(`set -e\n${extractScript(args(root), entry(sum))}`);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(root, 'bin/freebsd-version'), 'utf8')).toContain('14.2-RELEASE');
    expect(fs.readFileSync(path.join(root, '.fleetjail-release'), 'utf8')).toBe(`base.txz 14.2-RELEASE ${sum}\n`);
    expect(fs.existsSync(path.join(root, '.fleetjail-extracting'))).toBe(false);
    expect(tmpLeft()).toEqual(before);
  });

  it('refuses a set whose sum differs: nothing extracted, the download deleted', () => {
    const root = template({});
    fs.mkdirSync(root);
    const before = tmpLeft();
    const r = sh(`set -e\n${extractScript(args(root), entry('0'.repeat(64)))}\necho not reached`);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `release: http://mirror.test/amd64/amd64/14.2-RELEASE/base.txz: sha256 does not match the MANIFEST (${'0'.repeat(64)}); the download was deleted and nothing was extracted (got ${sum})\n`,
    );
    expect(fs.readdirSync(root)).toEqual([]);
    expect(tmpLeft()).toEqual(before);
  });
});
