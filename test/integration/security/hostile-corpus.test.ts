/**
 * The hostile corpus, layer (b), on the lab fleet (odd hosts log in with sh, even with tcsh),
 * as root and as ops through doas. Every corpus value (test/support/hostile-strings.ts) goes into
 * steps that apply it for real (file, line, sysrc, command, jail.exec, a file inside a jail,
 * archive, devfs.ruleset), and every module runs at least once with `--check`
 * (its fact scripts run on the hosts) with corpus values in its arguments; values a module
 * refuses are refused by `fleetjail check` before any host is contacted. The marker command,
 * installed on every host and in the jail, must never run, and no file may appear outside the
 * test's directories.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../../../src/modules/registry.js';
import type { AnyModule } from '../../../src/modules/kit/contract.js';
import { normalisePath } from '../../../src/modules/kit/names.js';
import path from 'node:path';
import { fleetjail } from '../../support/cli.js';
import { HOSTILE_CORPUS, MARKER } from '../../support/hostile-strings.js';
import { labHosts } from '../../support/lab.js';
import { onAllHosts, runWithReport, scratchDir, writeFile } from '../../support/playbook.js';
import { BASELINES } from '../../unit/security/baselines.js';
import { stringLeaves, withValue } from '../../unit/security/corpus-cases.js';

const dir = scratchDir();
const D = '/var/tmp/fjcorpus';
const JAIL = 'fjcorpus';
const JAIL_ROOT = `/usr/jails/${JAIL}`;
const STAMP = '/var/tmp/fjcorpus.stamp';
const byName = (n: string) => MODULES.find((m) => m.name === n) as AnyModule;
const valid = (module: string, args: unknown) => byName(module).args.safeParse(args).success;

type Step = Record<string, unknown>;

/** Steps that apply each corpus value for real; each value is used at least once. */
function applySteps(): { steps: Step[]; used: Set<number> } {
  const steps: Step[] = [];
  const used = new Set<number>();
  const add = (i: number, name: string, module: string, args: Record<string, unknown>, extra: Step = {}) => {
    if (!valid(module, args)) return;
    steps.push({ name: `${name} ${i}`, [module]: args, ...extra });
    used.add(i);
  };
  HOSTILE_CORPUS.forEach((v, i) => {
    const short = v.length < 100;
    // A path whose directory exists (a .. in the value may lead from D to /var/tmp).
    const parent = path.posix.dirname(normalisePath(`${D}/f${i}-${v}`) ?? '/');
    const content = v.includes('\0') ? 'x' : v;
    if (short && (parent === D || parent === '/var/tmp')) add(i, 'file path', 'file', { path: `${D}/f${i}-${v}`, content, mode: '0640' });
    else add(i, 'file content', 'file', { path: `${D}/fc${i}`, content });
    add(i, 'line', 'line', { path: `${D}/l${i}`, line: v, create: true });
    // sysrc takes a NUL into rc.conf (reported; sysrc.ts is not this test's): the file would stop being text.
    if (!v.includes('\0')) add(i, 'sysrc', 'sysrc', { file: `${D}/rc.conf`, name: `fj_v${i}`, value: v });
    add(i, 'argv', 'command', {
      argv: ['printf', '%s', v],
      ...(short && valid('command', { argv: ['true'], creates: `${D}/c${i}-${v}` }) ? { creates: `${D}/c${i}-${v}` } : {}),
    });
    add(i, 'jail argv', 'jail.exec', { jail: JAIL, argv: ['printf', '%s', v] });
    if (short) add(i, 'jail file', 'file', { path: `/tmp/f${i}-${v}`, content: 'x' }, { jail: JAIL });
    // Every fourth value: a tar run per step is the slowest carrier.
    if (short && i % 4 === 0) add(i, 'archive', 'archive', { path: `${D}/src`, dest: `${D}/a${i}-${v}.tar` });
    add(i, 'devfs', 'devfs.ruleset', {
      name: `devfsrules_fj${i}`,
      number: 700 + i,
      rules: [`add path '${v}' unhide`],
      file: `${D}/devfs.rules`,
      restart: false,
    });
  });
  return { steps, used };
}

/** For every module: its baselines with corpus values in their string arguments, planned with --check. */
function checkSteps(): { steps: Step[]; refused: Step[]; modules: Set<string>; used: Set<number> } {
  const steps: Step[] = [];
  const refused: Step[] = [];
  const modules = new Set<string>();
  const used = new Set<number>();
  for (const m of MODULES) {
    const base = (BASELINES[m.name] ?? [])[0];
    if (!base) continue;
    const leaves = stringLeaves(m.args);
    HOSTILE_CORPUS.forEach((v, i) => {
      // One accepted and one refused case per module and value, at most: enough to cover each.
      let accepted = false;
      let rejected = false;
      for (const leaf of leaves) {
        if (accepted && rejected) break;
        const args = withValue(base.args, leaf, v.length > 100 ? v.slice(0, 100) : v);
        const ok = m.args.safeParse(args).success;
        if (ok && !accepted) {
          accepted = true;
          steps.push({
            name: `${m.name} ${leaf.path.join('.')} ${i}`,
            [m.name]: args,
            ignore_errors: true,
            ...(m.jailAware && i % 2 === 0 ? { jail: JAIL } : {}),
          });
          modules.add(m.name);
          used.add(i);
        } else if (!ok && !rejected) {
          rejected = true;
          refused.push({ name: `${m.name} ${leaf.path.join('.')} ${i}`, [m.name]: args });
        }
      }
    });
    if (!modules.has(m.name)) {
      steps.push({ name: `${m.name} baseline`, [m.name]: base.args, ignore_errors: true });
      modules.add(m.name);
    }
  }
  return { steps, refused, modules, used };
}

/** A playbook (JSON is YAML) with step K on line K + 2, so an error's line names its step. */
const play = (name: string, steps: Step[]) =>
  writeFile(
    dir,
    `${name}.yaml`,
    `{"name": ${JSON.stringify(name)}, "hosts": "all", "steps": [\n${steps.map((st) => JSON.stringify(st)).join(',\n')}\n]}\n`,
  );

/** STEPS in playbooks of at most N steps: a fact script travels as one argument, and hostile values are long. */
const chunks = (steps: Step[], n: number) => Array.from({ length: Math.ceil(steps.length / n) }, (_, k) => steps.slice(k * n, (k + 1) * n));

// The marker: a command on every host's PATH and in the jail that leaves a file when it runs.
const markerScript = (file: string) => `#!/bin/sh\necho "$(id -un) $*" >> ${file}\n`;
const CLEAN = `jail -r ${JAIL} >/dev/null 2>&1; zfs destroy -r zroot/fjcorpus >/dev/null 2>&1
rm -rf ${D} ${JAIL_ROOT} ${STAMP} /usr/local/bin/${MARKER} /var/tmp/fj-marker-ran; true`;

beforeAll(async () => {
  const prep = await onAllHosts(`${CLEAN}
set -e
mkdir -p ${D}/src && echo data > ${D}/src/file
sh /.sys/userland/lib/jail/mini-root.sh ${JAIL_ROOT} >/dev/null
jail -c name=${JAIL} path=${JAIL_ROOT} persist >/dev/null
printf '%s' '${markerScript('/var/tmp/fj-marker-ran')}' > /usr/local/bin/${MARKER}; chmod 755 /usr/local/bin/${MARKER}
printf '%s' '${markerScript('/tmp/fj-marker-ran')}' > ${JAIL_ROOT}/usr/local/bin/${MARKER}; chmod 755 ${JAIL_ROOT}/usr/local/bin/${MARKER}
zfs create -o canmount=off zroot/fjcorpus
sleep 1; touch ${STAMP}`);
  for (const r of prep) expect(r.stderr).toBe('');
}, 120_000);

afterAll(async () => {
  await onAllHosts(CLEAN);
}, 120_000);

/** Every absolute path in the steps' arguments, normalised as the modules take them. */
function namedPaths(steps: Step[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && v.startsWith('/')) out.push(normalisePath(v) ?? v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  steps.forEach(walk);
  return out;
}

/** The marker never ran (host and jail), and no file changed after the stamp outside the paths the steps name. */
async function expectNoEffect(steps: Step[]): Promise<void> {
  // /.lab/zfs: the lab's zfs-fuse pool file.
  const allowed = [D, JAIL_ROOT, '/var/run/', '/var/log/', '/var/db/', '/.lab/zfs/', STAMP, ...namedPaths(steps)];
  for (const [i, r] of (
    await onAllHosts(
      `ls /var/tmp/fj-marker-ran ${JAIL_ROOT}/tmp/fj-marker-ran 2>/dev/null; find / -xdev -newer ${STAMP} \\( -type f -o -type l \\) 2>/dev/null`,
    )
  ).entries()) {
    const files = r.stdout.split('\n').filter(Boolean);
    expect(
      files.filter((f) => f.endsWith('fj-marker-ran')),
      `${labHosts()[i]?.name}: ${MARKER} ran`,
    ).toEqual([]);
    expect(
      files.filter((f) => !allowed.some((a) => f.startsWith(a))),
      `${labHosts()[i]?.name}: files outside the test's paths`,
    ).toEqual([]);
  }
}

describe('hostile corpus on the lab fleet (sh and tcsh hosts, root and doas)', () => {
  const apply = applySteps();
  const check = checkSteps();

  it('covers every module and every corpus value', () => {
    expect([...check.modules].sort()).toEqual(MODULES.map((m) => m.name).sort());
    const all = new Set([
      ...apply.used,
      ...check.used,
      ...HOSTILE_CORPUS.map((_, i) => i).filter((i) => check.refused.some((s) => String(s.name).endsWith(` ${i}`))),
    ]);
    expect(HOSTILE_CORPUS.map((_, i) => i).filter((i) => !all.has(i))).toEqual([]);
  });

  it('the marker leaves its file when it runs (the check below can fail)', async () => {
    const [r] = await onAllHosts(
      `${MARKER} control; ${JAIL_ROOT}/usr/local/bin/${MARKER} control; ls /var/tmp/fj-marker-ran /tmp/fj-marker-ran; rm -f /var/tmp/fj-marker-ran /tmp/fj-marker-ran; touch ${STAMP}`,
    );
    expect(r?.stdout).toBe('/tmp/fj-marker-ran\n/var/tmp/fj-marker-ran\n');
  });

  it('values a module refuses are refused before any host is contacted', async () => {
    const file = play('refused', check.refused);
    const r = await fleetjail(['check', file]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    // Every step has its own error (file:LINE:COL, step K on line K + 2).
    const lines = new Set([...r.stderr.matchAll(/refused\.yaml:(\d+):\d+/g)].map((m) => Number(m[1]) - 2));
    expect(check.refused.map((st, k) => (lines.has(k) ? undefined : String(st.name))).filter(Boolean)).toEqual([]);
  }, 120_000);

  for (const as of [[], ['-u', 'ops', '--become', 'doas']]) {
    const who = as.length === 0 ? 'root' : 'ops with doas';
    it(`applies the values as ${who}: the marker never runs, no file outside the paths`, async () => {
      for (const [k, steps] of chunks(apply.steps, 40).entries()) {
        const { cli, report } = await runWithReport(play(`apply-${as.length}-${k}`, steps), ...as);
        expect(cli.code, cli.stdout.slice(-4000) + cli.stderr.slice(-2000)).toBe(0);
        for (const h of labHosts()) expect(report.hosts[h.name]?.status).not.toBe('failed');
      }
      await expectNoEffect(apply.steps);
    }, 240_000);

    it(`plans every module with the values as ${who} (--check: facts run on the hosts)`, async () => {
      const { cli, report } = await runWithReport(play(`check-${as.length}`, check.steps), '--check', ...as);
      for (const h of labHosts()) expect(report.hosts[h.name]?.status, cli.stdout.slice(-3000)).not.toBe('unreachable');
      await expectNoEffect([...apply.steps, ...check.steps]);
    }, 180_000);
  }
});
