/**
 * The sysrc module's editing logic against FreeBSD's own test suite for sysrc(8)
 * (test/support/sysrc-freebsd-cases.ts): each command of a case is carried out with the
 * module's pure functions (rcView: the value and the file; desiredValue: += and -=;
 * editRcVariable: the text), and the output, exit status and file content are FreeBSD's.
 * Listing (-a, -A) and descriptions (-d) are not module operations and are left out; the one
 * deliberate difference is named in MODULE_DIFFERS.
 */
import { describe, expect, it } from 'vitest';
import { rcView, type RcFile } from '../../../src/modules/kit/rc-chain.js';
import { editRcVariable } from '../../../src/modules/kit/rc-conf-edit.js';
import { desiredValue } from '../../../src/modules/kit/rc-variable.js';
import { FREEBSD_SYSRC_CASES, type SysrcStep } from '../../support/sysrc-freebsd-cases.js';

/** case name, step index -> what the module does instead, and why. */
const MODULE_DIFFERS: Record<string, { step: number; conf: string; why: string }> = {
  subtract_list: {
    step: 3,
    conf: 'test_list=""\n',
    why: 'item absent from an unset variable: already true, so nothing is written (sysrc -= creates it empty)',
  },
};

type Files = Map<string, string | null>;

/** One sysrc command line, carried out with the module's functions on FILES. */
function sysrcByModule(
  files: Files,
  args: string[],
  env: Record<string, string>,
): { out: string; err: string; exit: number } | 'not a module operation' {
  const confs: string[] = [];
  let remove = false;
  let check = false;
  let showFile = false;
  const operands: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k] as string;
    if (a === '-f') confs.push(args[++k] as string);
    else if (a === '-x') remove = true;
    else if (a === '-c') check = true;
    else if (a === '-F') showFile = true;
    else if (a.startsWith('-')) return 'not a module operation';
    else operands.push(a);
  }
  if (confs.length === 0) return 'not a module operation';
  const read = (p: string): RcFile => ({ path: p, text: files.get(p) ?? null });
  const base = env.RC_DEFAULTS ? [read(env.RC_DEFAULTS)] : [];
  let out = '';
  let err = '';
  let exit = 0;
  for (const operand of operands) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:([+-]?)=(.*))?$/s.exec(operand);
    if (!m) throw new Error(`operand ${operand}`);
    const [, name = '', op = '', arg] = m;
    const view = rcView(name, base, confs.map(read));
    if (arg === undefined || remove) {
      if (view.value === undefined) {
        err += `sysrc: unknown variable '${name}'\n`;
        exit = 1;
      } else if (remove) {
        for (const p of view.assignedIn) files.set(p, editRcVariable(files.get(p) ?? '', name, undefined));
      } else if (showFile) out += `${name}: ${view.assignedIn[view.assignedIn.length - 1]}\n`;
      else if (!check) out += `${name}: ${view.value}\n`;
      continue;
    }
    const step =
      op === ''
        ? { value: arg, state: 'present' as const, delimiter: ' ' }
        : { item: arg, state: op === '+' ? ('present' as const) : ('absent' as const), delimiter: ' ' };
    const desired = desiredValue(step, view.value);
    if (check) {
      if (view.value === undefined || desired !== view.value) exit = 1;
      continue;
    }
    if (desired !== view.value) files.set(view.target, editRcVariable(files.get(view.target) ?? '', name, desired));
    out += `${name}: ${view.value ?? ''} -> ${rcView(name, base, confs.map(read)).value ?? ''}\n`;
  }
  return { out, err, exit };
}

describe("the sysrc module's editing logic passes FreeBSD's sysrc tests", () => {
  for (const c of FREEBSD_SYSRC_CASES) {
    it(c.name, () => {
      const vars: Record<string, string> = {
        $CONF2: '/t/sysrc2.conf',
        $CONF: '/t/sysrc_test.conf',
        $DEFAULTS: '/t/rc_defaults.conf',
        $SYSRC: '/usr/sbin/sysrc',
      };
      const subst = (s: string) => Object.entries(vars).reduce((t, [k, v]) => t.replaceAll(k, v), s);
      const files: Files = new Map();
      for (const [k, content] of Object.entries(c.files)) files.set(vars[`$${k}`] as string, subst(content));
      let ran = 0;
      c.steps.forEach((step: SysrcStep, index) => {
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, subst(v)]));
        const got = sysrcByModule(files, step.args.map(subst), env);
        if (got === 'not a module operation') return;
        ran++;
        const what = `sysrc ${step.args.join(' ')}`;
        expect(got, what).toEqual({ out: subst(step.stdout ?? ''), err: subst(step.stderr ?? ''), exit: step.exit ?? 0 });
        const differs = MODULE_DIFFERS[c.name];
        const conf = differs?.step === index ? differs.conf : step.conf;
        if (conf !== undefined)
          expect(files.get(vars.$CONF as string) ?? null, `${what}: the file`).toBe(conf === null ? null : subst(conf));
      });
      if (!['a_flag', 'A_flag', 'd_flag'].includes(c.name)) expect(ran, 'steps carried out').toBeGreaterThan(0);
    });
  }
});
